import type { AppliedMigration, Migration, ShardName, SqlValue } from "@distributed-insert/shard"
import { type ShardDatabase, StorageError, type StorageOperation, type TableTarget } from "@distributed-insert/storage"
import { Effect, Semaphore } from "effect"
import type pg from "pg"
import { parameterText } from "./copy-text.ts"
import { type CopyHistory, insertBatch, type TableShape } from "./insert-batch.ts"
import { reasonOf } from "./pg-connection.ts"
import { integrityProblems } from "./pg-integrity.ts"
import type { PgErrorFields } from "./pg-refusal.ts"
import { appliedVersions, constraintColumnsOf, ensureLedger, hasLedger, readLedger, recordMigration, resetSchema, tableShape } from "./pg-schema.ts"
import { PG_TEXT_RULES } from "./pg-text-rules.ts"
import { postgresMigrationSql, quoteIdentifier as quote } from "./postgres-ddl.ts"
import { inTransaction, RollbackFailed } from "./transaction.ts"

/** How a storage opened a database: to read, or to write (with its lock, or with the caller holding it). */
export type Access = "read" | "write"

export interface PgDatabaseOptions {
  readonly name: ShardName
  readonly pool: pg.Pool
  /** The redacted URL. */
  readonly location: string
  readonly access: Access
  /** Why the writer's lock is no longer held, once it is not; undefined while it is (or none is taken). */
  readonly lockLost: () => string | undefined
}

/**
 * Shard database `options.name`: schema `name` of the PostgreSQL database behind `options.pool`
 * (see pg-schema.ts). Every method runs under the database's own semaphore, as the interface
 * asks, each on a connection of the pool. What `insertBatch` commits is durable at once.
 */
export const openPgDatabase = (options: PgDatabaseOptions): Effect.Effect<ShardDatabase, StorageError> =>
  Effect.gen(function* () {
    const { name, pool, location } = options
    const schema: string = name
    const fail = (operation: StorageOperation) => (cause: unknown) =>
      new StorageError({ shard: name, location, operation, reason: reasonOf(cause, location), cause })

    let exists = yield* Effect.tryPromise({ try: () => hasLedger(pool, schema), catch: fail("open") })
    // Read from the catalog once per table and columns; a migration or reset may change them.
    const shapes = new Map<string, TableShape>()
    const constraints = new Map<string, ReadonlyArray<string> | undefined>()
    // Per table, for as long as the database is open: a new table starts out trying direct COPY.
    const histories = new Map<string, CopyHistory>()
    const historyOf = (table: string): CopyHistory => {
      const known = histories.get(table)
      if (known !== undefined) return known
      const history = { stagedSinceFailure: Number.POSITIVE_INFINITY }
      histories.set(table, history)
      return history
    }
    const forgetCatalog = () => {
      shapes.clear()
      constraints.clear()
    }

    const semaphore = yield* Semaphore.make(1)
    const run = <A>(operation: StorageOperation, work: () => Promise<A>) =>
      semaphore.withPermits(1)(
        Effect.suspend(() => {
          const lost = options.lockLost()
          if (lost !== undefined) return Effect.fail(new StorageError({ shard: name, location, operation: "lock", reason: lost }))
          return Effect.tryPromise({ try: work, catch: fail(operation) })
        })
      )
    /** A write: refused in a reader; uninterruptible, so that a transaction never stops halfway with its connection. */
    const write = <A>(operation: StorageOperation, work: (client: pg.PoolClient) => Promise<A>) =>
      options.access === "read"
        ? Effect.fail(
            new StorageError({
              shard: name,
              location,
              operation,
              reason: "this storage was opened to read (without the writer's lock): it does not write"
            })
          )
        : Effect.uninterruptible(run(operation, () => withClient(pool, work)))

    const constraintColumns = async (error: PgErrorFields) => {
      const key = JSON.stringify([error.schema, error.table, error.constraint])
      if (constraints.has(key)) return constraints.get(key)
      const columns = await constraintColumnsOf(pool, error)
      constraints.set(key, columns)
      return columns
    }

    const shapeOf = async (client: pg.ClientBase, target: TableTarget): Promise<TableShape> => {
      const key = JSON.stringify([target.table, target.columns])
      const known = shapes.get(key)
      if (known !== undefined) return known
      const shape = await tableShape(client, schema, target.table, target.columns)
      shapes.set(key, shape)
      return shape
    }

    const migrate = (model: string, migrations: ReadonlyArray<Migration>) =>
      write("migrate", async (client) => {
        await ensureLedger(client, schema, location)
        exists = true
        const applied = await appliedVersions(client, schema, model)
        const pending = migrations.filter((migration) => !applied.has(migration.version))
        forgetCatalog()
        for (const migration of pending) {
          // Each migration with its ledger row, so a failure keeps the earlier ones. Unqualified
          // names in its SQL are the shard database's schema; `public` stays reachable for types
          // and functions an extension put there.
          await inTransaction(client, async () => {
            await client.query(`SET LOCAL search_path TO ${quote(schema)}, public`)
            try {
              await client.query(postgresMigrationSql(migration))
            } catch (error) {
              throw new MigrationFailed(model, migration, error, location)
            }
            await recordMigration(client, schema, { model, version: migration.version, description: migration.description, definition: migration.createTable })
          })
        }
        return pending
      })

    const database: ShardDatabase = {
      name,
      location,
      get exists() {
        return exists
      },
      durability: "commit",
      textRules: PG_TEXT_RULES,
      appliedMigrations: run("read", (): Promise<ReadonlyArray<AppliedMigration>> => readLedger(pool, schema)),
      migrate,
      insertBatch: (target, rows, onConflict = "fail") =>
        rows.length === 0
          ? Effect.succeed([])
          : write("insert", async (client) =>
              insertBatch(client, { ...target, schema }, await shapeOf(client, target), historyOf(target.table), rows, onConflict, constraintColumns)
            ),
      count: (table) =>
        run("read", async () => {
          const result = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(schema)}.${quote(table)}`)
          return result.rows[0]?.n ?? 0
        }),
      select: (target, query) => run("read", () => selectRows(pool, schema, target, query)),
      integrityProblems: run("read", () => integrityProblems(pool, schema, location)),
      reset: write("open", async (client) => {
        await resetSchema(client, schema, location)
        forgetCatalog()
        exists = false
      }),
      // Committed is durable: nothing left to do.
      persist: Effect.void
    }
    return database
  })

/**
 * `work` on a connection of `pool`, given back after; destroyed instead when a rollback failed,
 * since its session may still be inside a transaction.
 */
const withClient = async <A>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<A>): Promise<A> => {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    return await work(client)
  } catch (error) {
    if (error instanceof RollbackFailed) broken = error
    throw error
  } finally {
    client.release(broken)
  }
}

const selectRows = async (
  pool: pg.Pool,
  schema: string,
  target: TableTarget,
  query: { readonly key?: SqlValue; readonly limit?: number }
): Promise<ReadonlyArray<Readonly<Record<string, SqlValue>>>> => {
  const parameters: Array<string | number | null> = []
  const where = query.key === undefined ? "" : ` WHERE ${quote(target.primaryKey)} = $${parameters.push(parameterText(query.key))}`
  const limit = query.limit === undefined ? "" : ` LIMIT $${parameters.push(query.limit)}`
  const result = await pool.query<Record<string, SqlValue>>(
    `SELECT ${target.columns.map(quote).join(", ")} FROM ${quote(schema)}.${quote(target.table)}${where} ORDER BY ${quote(target.primaryKey)}${limit}`,
    parameters
  )
  return result.rows
}

/** A migration's failure, naming it; PostgreSQL's error is its cause. */
class MigrationFailed extends Error {
  constructor(model: string, migration: Migration, cause: unknown, location: string) {
    const hint =
      migration.createTable === undefined && migration.dialects?.postgres === undefined
        ? " (its SQL is run as written; a migration can give PostgreSQL its own in dialects.postgres)"
        : ""
    super(`migration ${model} v${migration.version} (${migration.description}): ${reasonOf(cause, location)}${hint}`, { cause })
  }
}
