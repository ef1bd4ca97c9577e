import { ShardName } from "@distributed-insert/shard"
import { layerFromWorkerOptions, type ShardDatabase, ShardStorage, StorageError, type UnclaimedDatabase } from "@distributed-insert/storage"
import { Cache, Effect, Layer, Schema, Scope } from "effect"
import type pg from "pg"
import { makePool, reasonOf } from "./pg-connection.ts"
import { type Access, openPgDatabase } from "./pg-database.ts"
import { acquirePgLock, type PgLockHandle, type PgLockWait } from "./pg-lock.ts"
import { reservedSchemaProblem, schemasWithLedger } from "./pg-schema.ts"
import { redactUrl } from "./redact-url.ts"

/** The name a worker's storage configuration gives this backend (`StorageWorkerConfig.backend`). */
const BACKEND = "postgres"

export interface PgStorageOptions {
  /**
   * The router's database names, each with the `postgres://` URL of the PostgreSQL database that
   * holds it (as a schema of its name: several names may share one URL). The password is in the
   * URL, or comes from PGPASSWORD or ~/.pgpass as libpq has it.
   */
  readonly databases: Readonly<Record<string, string>>
  /**
   * Commands that write pass this: each database is locked against other writers (an advisory
   * lock, pg-lock.ts), waiting up to `waitSeconds`, calling `onWait` once when it has to wait.
   * Without it the storage reads: it never locks, is never blocked, and refuses to write.
   */
  readonly writer?: PgLockWait
}

/** How a worker thread opens the storage of the thread that started it: the same databases. */
const WorkerOptions = Schema.Struct({ databases: Schema.Record(Schema.String, Schema.String) })

/** A writer whose caller holds every lock for longer than the storage lives (a worker thread of the locking process). */
type Mode = { readonly _tag: "read" } | { readonly _tag: "write"; readonly wait: PgLockWait } | { readonly _tag: "locked-by-caller" }

/**
 * Shard databases on PostgreSQL servers: each a schema in the PostgreSQL database its URL names
 * (pg-schema.ts), written through COPY and set-based inserts (insert-batch.ts), one writer at a
 * time (pg-lock.ts). Commits are durable at once; nothing is kept in files.
 */
export const PgStorage = {
  backend: BACKEND,
  layer: (options: PgStorageOptions): Layer.Layer<ShardStorage, StorageError> =>
    storageLayer(options.databases, options.writer === undefined ? { _tag: "read" } : { _tag: "write", wait: options.writer }),
  /**
   * The storage a worker thread opens from `ShardStorage.workerConfig`'s options: a writer that
   * does not lock, since the main thread holds the locks for as long as the worker runs.
   */
  fromWorkerOptions: (options: unknown): Layer.Layer<ShardStorage, StorageError> =>
    layerFromWorkerOptions(WorkerOptions, options, ({ databases }) => storageLayer(databases, { _tag: "locked-by-caller" }))
}

const storageLayer = (databases: Readonly<Record<string, string>>, mode: Mode): Layer.Layer<ShardStorage, StorageError> =>
  Layer.effect(
    ShardStorage,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      // One pool per URL, made on first use and ended with the layer.
      const pools = new Map<string, pg.Pool>()
      yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all([...pools.values()].map((pool) => pool.end()))))
      const poolOf = (url: string): pg.Pool => {
        const known = pools.get(url)
        if (known !== undefined) return known
        const pool = makePool(url)
        pools.set(url, pool)
        return pool
      }

      const urlOf = (name: ShardName): Effect.Effect<string, StorageError> => {
        const url = Object.hasOwn(databases, name) ? databases[name] : undefined
        if (url === undefined) {
          const known = Object.keys(databases).sort()
          return Effect.fail(
            new StorageError({
              shard: name,
              location: "postgres",
              operation: "open",
              reason: `no PostgreSQL URL is configured for database ${name} (configured: ${known.length === 0 ? "none" : known.join(", ")})`
            })
          )
        }
        const reserved = reservedSchemaProblem(name)
        if (reserved !== undefined) return Effect.fail(new StorageError({ shard: name, location: redactUrl(url), operation: "open", reason: reserved }))
        return Effect.succeed(url)
      }

      // Cached, failures included: a database whose lock was refused stays refused for the run.
      const locks = yield* Cache.make({
        capacity: Number.MAX_SAFE_INTEGER,
        lookup: (name: ShardName): Effect.Effect<PgLockHandle | undefined, StorageError> =>
          Effect.flatMap(urlOf(name), (url) =>
            mode._tag === "write"
              ? Scope.provide(acquirePgLock({ name, url, location: redactUrl(url), wait: mode.wait }), scope)
              : Effect.succeed(undefined)
          )
      })
      const lock = (name: ShardName) => Cache.get(locks, name)

      const access: Access = mode._tag === "read" ? "read" : "write"
      // One database per name for the layer's lifetime, failures included; concurrent callers
      // share one opening. A writer's is locked before it is first read.
      const opened = yield* Cache.make({
        capacity: Number.MAX_SAFE_INTEGER,
        lookup: (name: ShardName): Effect.Effect<ShardDatabase, StorageError> =>
          Effect.gen(function* () {
            const url = yield* urlOf(name)
            const held = yield* lock(name)
            return yield* openPgDatabase({ name, pool: poolOf(url), location: redactUrl(url), access, lockLost: () => held?.lost() })
          })
      })

      const unclaimed = (names: ReadonlyArray<ShardName>) =>
        Effect.gen(function* () {
          const claimed = new Set(names.map((name) => `${name}\u0000${databases[name] ?? ""}`))
          const found: Array<UnclaimedDatabase> = []
          for (const url of [...new Set(Object.values(databases))]) {
            const location = redactUrl(url)
            const schemas = yield* Effect.tryPromise({
              try: () => schemasWithLedger(poolOf(url)),
              catch: (cause) => new StorageError({ shard: "*", location, operation: "read", reason: `cannot list its shard databases: ${reasonOf(cause, location)}`, cause })
            }).pipe(
              // A PostgreSQL database that does not exist holds no shard database.
              Effect.catchIf(
                (error) => typeof error.cause === "object" && error.cause !== null && "code" in error.cause && error.cause.code === "3D000",
                () => Effect.succeed([])
              )
            )
            for (const schema of schemas) {
              if (!isShardName(schema) || reservedSchemaProblem(schema) !== undefined || claimed.has(`${schema}\u0000${url}`)) continue
              found.push({ name: schema, location, sidecars: [] })
            }
          }
          return found.sort((left, right) => (left.name === right.name ? compare(left.location, right.location) : compare(left.name, right.name)))
        })

      return ShardStorage.of({
        database: (name) => Cache.get(opened, name),
        lock: (name) => Effect.asVoid(lock(name)),
        // One at a time, in name order: two runs taking theirs in one global order cannot each
        // hold one the other waits for. A failure is reported where the database is used.
        lockAll: (names) => Effect.forEach([...new Set(names)].sort(), (name) => Effect.ignore(lock(name)), { concurrency: 1, discard: true }),
        workerConfig: mode._tag === "read" ? undefined : Effect.succeed({ backend: BACKEND, options: { databases: { ...databases } } }),
        // It keeps no file.
        fileRole: () => Effect.succeed(undefined),
        unclaimed
      })
    })
  )

const isShardName = Schema.is(ShardName)

const compare = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0)
