import type { ShardName } from "@distributed-insert/shard"
import { ShardStorage, StorageError } from "@distributed-insert/storage"
import { Effect, Layer, Schema } from "effect"

// The one place that will name the PostgreSQL engine (`@distributed-insert/storage-pg`), which
// this build does not have yet. When it is added, the bodies below become:
//
//   export const postgresStorage = (databases, writer) => PgStorage.layer(writer === undefined ? { databases } : { databases, writer })
//   export const postgresWorkerStorage = (options) => PgStorage.fromWorkerOptions(options)
//
// and POSTGRES_BACKEND is PgStorage.backend. Until then each PostgreSQL database fails when it
// is opened or locked, alone: the SQLite files of a mixed configuration are used as they would
// be, and every PostgreSQL database is reported, with its location, as not in this build.

/** The name PostgreSQL storage gives itself in a worker configuration (`PgStorage.backend`). */
export const POSTGRES_BACKEND = "postgres"

/** For the commands that write: how long to wait for another writer's lock, and what to say meanwhile. */
export interface PostgresWriter {
  readonly waitSeconds: number
  readonly onWait?: (busy: string) => Effect.Effect<void>
}

/** The storage of the databases kept on PostgreSQL servers: their URLs by name, passwords included. */
export const postgresStorage = (databases: Readonly<Record<ShardName, string>>, writer?: PostgresWriter): Layer.Layer<ShardStorage, StorageError> =>
  notInThisBuild(databases, writer !== undefined)

/** The same storage in a worker thread, from what `postgresStorage`'s said of itself (`workerConfig`). */
export const postgresWorkerStorage = (options: unknown): Layer.Layer<ShardStorage, StorageError> =>
  Layer.unwrap(
    Effect.map(
      Effect.mapError(
        Schema.decodeUnknownEffect(WorkerOptions)(options),
        (cause) => new StorageError({ shard: "*", location: "worker thread", operation: "open", reason: cause.message, cause })
      ),
      ({ databases }) => notInThisBuild(databases, true)
    )
  )

const WorkerOptions = Schema.Struct({ databases: Schema.Record(Schema.String, Schema.String) })

/**
 * A storage whose every database fails to open or lock. As a writer it has a worker
 * configuration, as PostgreSQL storage will: a configuration that mixes it with SQLite files
 * still loads the files' shards in worker threads.
 */
const notInThisBuild = (databases: Readonly<Record<string, string>>, writer: boolean): Layer.Layer<ShardStorage> => {
  // The location as configured, password and all, as an engine might put it in its errors: the
  // CLI shows no location without taking the password out (render/location.ts, config/redact.ts),
  // which the CLI's tests of the redaction hold it to through this storage.
  const missing = (name: ShardName) =>
    new StorageError({
      shard: name,
      location: databases[name] ?? "PostgreSQL",
      operation: "open",
      reason: "PostgreSQL support is not in this build: it comes with the storage-pg engine"
    })
  return Layer.succeed(
    ShardStorage,
    ShardStorage.of({
      database: (name) => Effect.fail(missing(name)),
      lock: (name) => Effect.fail(missing(name)),
      // Never fails (see ShardStorage): the failure is where each database is used.
      lockAll: () => Effect.void,
      workerConfig: writer ? Effect.succeed({ backend: POSTGRES_BACKEND, options: { databases } }) : undefined,
      fileRole: () => Effect.succeed(undefined),
      unclaimed: () => Effect.succeed([])
    })
  )
}
