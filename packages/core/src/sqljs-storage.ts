import { mkdir, readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { Cache, Effect, Layer, Scope, Semaphore } from "effect"
import type { Database, SqlJsStatic, SqlValue as SqlJsValue, Statement } from "sql.js"
import { writeFileAtomic } from "./atomic-file.ts"
import { StorageError, type StorageOperation } from "./errors.ts"
import type { AppliedMigration, Migration } from "./migration.ts"
import { acquireShardLock, type LockWait } from "./shard-lock.ts"
import type { ShardName } from "./shard-name.ts"
import type { SqlValue } from "./sql-value.ts"
import { loadSqlJs } from "./sqljs.ts"
import { type ConflictMode, RowOutcome, type ShardDatabase, ShardStorage, type TableTarget } from "./storage.ts"

export interface SqlJsStorageOptions {
  /** Directory holding one `<shard>.db` file per shard; created on first write. */
  readonly dataDir: string
  /**
   * Open the databases for writing: each takes its shard's single-writer lock (shard-lock.ts)
   * for the layer's lifetime, waiting up to `waitSeconds` for another writer. Without it the
   * databases are opened as readers, which never lock and are never blocked.
   */
  readonly writer?: LockWait
}

const LEDGER = "_migrations"

/**
 * Shard databases held in memory by sql.js and persisted to `<dataDir>/<shard>.db`, an
 * ordinary SQLite file. Each database is opened once per layer and closed with it.
 */
export const SqlJsStorage = {
  layer: (options: SqlJsStorageOptions): Layer.Layer<ShardStorage> =>
    Layer.effect(
      ShardStorage,
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        // One database per name for the layer's lifetime, failures included (a file that cannot
        // be opened says so to every caller); concurrent callers share one opening. sql.js is
        // compiled on first use, not when the layer is built: a run whose shards all load in
        // worker threads never needs it in the main thread (~45 MB of memory).
        const databases = yield* Cache.make({
          capacity: Number.MAX_SAFE_INTEGER,
          lookup: (name: ShardName) =>
            Effect.promise(loadSqlJs).pipe(
              Effect.flatMap((SQL) => openDatabase(SQL, name, join(options.dataDir, `${name}.db`), options.writer)),
              Scope.provide(scope)
            )
        })
        return ShardStorage.of({ database: (name) => Cache.get(databases, name) })
      })
    )
}

const openDatabase = (SQL: SqlJsStatic, name: ShardName, location: string, writer: LockWait | undefined) =>
  Effect.gen(function* () {
    const fail = (operation: StorageOperation) => (cause: unknown) =>
      new StorageError({ shard: name, location, operation, reason: reasonOf(cause), cause })

    // Locked before the file is read, not at the first write: sql.js works on a copy in memory
    // and `persist` writes all of it back, so two writers that had read the same file would
    // each write back their own copy, and the last one would drop the other's rows.
    if (writer !== undefined) {
      yield* acquireShardLock({ shard: name, location, ...writer }).pipe(
        Effect.catchTag("ShardLockedError", (busy) =>
          Effect.fail(new StorageError({ shard: name, location, operation: "lock", reason: busy.reason, cause: busy }))
        )
      )
    }

    const bytes = yield* Effect.tryPromise({ try: () => readIfPresent(location), catch: fail("open") })
    let exists = bytes !== undefined
    // Replaced by `reset`; the finalizer closes whichever database is current.
    let db: Database = yield* Effect.acquireRelease(
      Effect.try({ try: () => openVerified(SQL, bytes), catch: fail("open") }),
      () => Effect.sync(() => db.close())
    )
    const lock = yield* Semaphore.make(1)
    const locked = <A>(operation: StorageOperation, work: () => A) =>
      lock.withPermits(1)(Effect.try({ try: work, catch: fail(operation) }))

    const database: ShardDatabase = {
      name,
      location,
      get exists() {
        return exists
      },
      appliedMigrations: locked("read", () => readLedger(db)),
      migrate: (model, migrations) => locked("migrate", () => applyMigrations(db, model, migrations)),
      insertBatch: (target, rows, onConflict = "fail") => locked("insert", () => insertRows(db, target, rows, onConflict)),
      count: (table) => locked("read", () => Number(queryRows(db, `SELECT count(*) AS n FROM ${quote(table)}`, [])[0]?.["n"] ?? 0)),
      select: (target, query) => locked("read", () => selectRows(db, target, query)),
      integrityProblems: locked("read", () => integrityProblems(db)),
      reset: locked("open", () => {
        const empty = new SQL.Database()
        db.close()
        db = empty
      }),
      // Uninterruptible: an interrupted run would otherwise release its shard lock while the
      // rename over the shard file is still under way, and could replace the next writer's file.
      persist: lock.withPermits(1)(
        Effect.uninterruptible(Effect.tryPromise({
          try: async () => {
            await mkdir(dirname(location), { recursive: true, mode: 0o755 })
            await writeFileAtomic(location, db.export())
            exists = true
          },
          catch: fail("persist")
        }))
      )
    }
    return database
  })

const readIfPresent = async (path: string): Promise<Uint8Array | undefined> => {
  try {
    return await readFile(path)
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return undefined
    throw error
  }
}

/** sql.js accepts any bytes lazily; touching the schema makes a non-SQLite file fail here. */
const openVerified = (SQL: SqlJsStatic, bytes: Uint8Array | undefined): Database => {
  const db = new SQL.Database(bytes)
  try {
    db.exec("SELECT count(*) FROM sqlite_master")
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

const readLedger = (db: Database): ReadonlyArray<AppliedMigration> => {
  if (!hasTable(db, LEDGER)) return []
  return queryRows(db, `SELECT model, version, description, applied_at FROM ${LEDGER} ORDER BY model, version`, []).map((row) => ({
    model: String(row["model"]),
    version: Number(row["version"]),
    description: String(row["description"]),
    appliedAt: String(row["applied_at"])
  }))
}

/** Each migration commits on its own, with its ledger row, so a failure keeps earlier ones. */
const applyMigrations = (db: Database, model: string, migrations: ReadonlyArray<Migration>): ReadonlyArray<Migration> => {
  db.run(
    `CREATE TABLE IF NOT EXISTS ${LEDGER} (model TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (model, version))`
  )
  const applied = new Set(readLedger(db).filter((entry) => entry.model === model).map((entry) => entry.version))
  const pending = migrations.filter((migration) => !applied.has(migration.version))
  for (const migration of pending) {
    db.run("BEGIN")
    try {
      db.exec(migration.sql)
      db.run(`INSERT INTO ${LEDGER} (model, version, description, applied_at) VALUES (?, ?, ?, ?)`, [
        model,
        migration.version,
        migration.description,
        new Date().toISOString()
      ])
      db.run("COMMIT")
    } catch (error) {
      rollbackAfter(db, new Error(`migration ${model} v${migration.version} (${migration.description}): ${reasonOf(error)}`))
    }
  }
  return pending
}

/**
 * One transaction per batch (a transaction per row costs ~30 µs in sql.js) and one INSERT
 * statement per row. Each row is atomic on its own without a savepoint: SQLite undoes a
 * statement that fails (a constraint, including one hit by a trigger it fired) entirely,
 * through its statement journal, and the transaction goes on with the neighbours. A savepoint
 * per row would cost as much as the insert itself. insert-records.test.ts makes the failures
 * happen mid-batch, a trigger's among them, and checks that nothing of them remains.
 */
const insertRows = (
  db: Database,
  target: TableTarget,
  rows: ReadonlyArray<ReadonlyArray<SqlValue>>,
  onConflict: ConflictMode
): ReadonlyArray<RowOutcome> => {
  const outcomes: Array<RowOutcome> = []
  if (rows.length === 0) return outcomes
  const insert = db.prepare(insertStatement(target, onConflict))
  // Whether the key is taken decides between Inserted and Replaced; asked only when replacing.
  const keyTaken =
    onConflict === "replace"
      ? db.prepare(`SELECT 1 FROM ${quote(target.table)} WHERE ${quote(target.primaryKey)} = ?`)
      : undefined
  const keyIndex = target.columns.indexOf(target.primaryKey)
  // The journal only serves rollbacks inside this in-memory database (durability is the atomic
  // file write's job): in memory, it costs a fraction of Emscripten's file system. Set per batch
  // because db.export() resets pragmas.
  db.run("PRAGMA journal_mode = MEMORY")
  db.run("BEGIN")
  try {
    for (const row of rows) {
      try {
        const replacing = keyTaken !== undefined && exists(keyTaken, row[keyIndex] ?? null)
        insert.run(row as Array<SqlJsValue>)
        outcomes.push(
          replacing ? RowOutcome.replaced : onConflict === "skip" && db.getRowsModified() === 0 ? RowOutcome.skipped : RowOutcome.inserted
        )
      } catch (error) {
        outcomes.push(RowOutcome.refused(reasonOf(error)))
      }
    }
    db.run("COMMIT")
    return outcomes
  } catch (error) {
    return rollbackAfter(db, error)
  } finally {
    insert.free()
    keyTaken?.free()
  }
}

/**
 * `ON CONFLICT DO NOTHING` and `DO UPDATE` act on uniqueness only: a NOT NULL or CHECK
 * violation still refuses the row whatever the mode. `replace` updates the row in place (by
 * primary key) rather than deleting and re-inserting it, so nothing that refers to it breaks.
 */
const insertStatement = (target: TableTarget, onConflict: ConflictMode): string => {
  const insert = `INSERT INTO ${quote(target.table)} (${target.columns.map(quote).join(", ")}) VALUES (${target.columns.map(() => "?").join(", ")})`
  switch (onConflict) {
    case "fail":
      return insert
    case "skip":
      return `${insert} ON CONFLICT DO NOTHING`
    case "replace": {
      const updates = target.columns.filter((column) => column !== target.primaryKey).map((column) => `${quote(column)} = excluded.${quote(column)}`)
      return updates.length === 0
        ? `${insert} ON CONFLICT (${quote(target.primaryKey)}) DO NOTHING`
        : `${insert} ON CONFLICT (${quote(target.primaryKey)}) DO UPDATE SET ${updates.join(", ")}`
    }
  }
}

const exists = (query: Statement, key: SqlValue): boolean => {
  try {
    query.bind([key as SqlJsValue])
    return query.step()
  } finally {
    query.reset()
  }
}

/** Undoes the open transaction and rethrows `cause`, keeping the rollback's own failure if any. */
const rollbackAfter = (db: Database, cause: unknown): never => {
  try {
    db.run("ROLLBACK")
  } catch (rollbackError) {
    throw new Error(`${reasonOf(cause)} (and the rollback failed: ${reasonOf(rollbackError)})`)
  }
  throw cause
}

const selectRows = (
  db: Database,
  target: TableTarget,
  query: { readonly key?: SqlValue; readonly limit?: number }
): ReadonlyArray<Readonly<Record<string, SqlValue>>> => {
  const columns = target.columns.map(quote).join(", ")
  const where = query.key === undefined ? "" : ` WHERE ${quote(target.primaryKey)} = ?`
  const limit = query.limit === undefined ? "" : " LIMIT ?"
  const params: Array<SqlValue> = []
  if (query.key !== undefined) params.push(query.key)
  if (query.limit !== undefined) params.push(query.limit)
  return queryRows(db, `SELECT ${columns} FROM ${quote(target.table)}${where} ORDER BY ${quote(target.primaryKey)}${limit}`, params)
}

const queryRows = (db: Database, sql: string, params: ReadonlyArray<SqlValue>): Array<Record<string, SqlValue>> => {
  const statement = db.prepare(sql, params as Array<SqlJsValue>)
  try {
    const rows: Array<Record<string, SqlValue>> = []
    while (statement.step()) rows.push(statement.getAsObject())
    return rows
  } finally {
    statement.free()
  }
}

/**
 * `PRAGMA integrity_check` answers one row, `ok`, or rows of problems, some of them several
 * lines under a `*** in database main ***` heading: one problem per line here, without it.
 */
const integrityProblems = (db: Database): ReadonlyArray<string> => {
  const answers = queryRows(db, "PRAGMA integrity_check", []).map((row) => String(row["integrity_check"]))
  if (answers.length === 1 && answers[0] === "ok") return []
  return answers.flatMap((answer) => answer.split("\n")).filter((line) => line !== "" && !/^\*\*\* in database \w+ \*\*\*$/.test(line))
}

const hasTable = (db: Database, table: string): boolean =>
  queryRows(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).length > 0

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
