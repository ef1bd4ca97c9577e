import type { ShardName } from "@distributed-insert/shard"
import { type ShardStorage, StorageError } from "@distributed-insert/storage"
import { Effect, Layer } from "effect"

// The one place that names the PostgreSQL engine (`@distributed-insert/storage-pg`). It is
// imported when a configuration names a PostgreSQL database, not before: a run on SQLite files
// alone (the quick start, `--version`) never loads node-postgres.

/** The name PostgreSQL storage gives itself in a worker configuration (`PgStorage.backend`). */
export const POSTGRES_BACKEND = "postgres"

/** For the commands that write: how long to wait for another writer's lock, and what to say meanwhile. */
export interface PostgresWriter {
  readonly waitSeconds: number
  readonly onWait?: (busy: string) => Effect.Effect<void>
}

const engine = Effect.tryPromise({
  try: () => import("@distributed-insert/storage-pg"),
  catch: (cause) =>
    new StorageError({ shard: "*", location: "PostgreSQL", operation: "open", reason: `the PostgreSQL engine could not be loaded: ${String(cause)}`, cause })
})

/** The storage of the databases kept on PostgreSQL servers: their URLs by name, passwords included. */
export const postgresStorage = (databases: Readonly<Record<ShardName, string>>, writer?: PostgresWriter): Layer.Layer<ShardStorage, StorageError> =>
  Layer.unwrap(Effect.map(engine, ({ PgStorage }) => PgStorage.layer(writer === undefined ? { databases } : { databases, writer })))

/** The same storage in a worker thread, from what `postgresStorage`'s said of itself (`workerConfig`). */
export const postgresWorkerStorage = (options: unknown): Layer.Layer<ShardStorage, StorageError> =>
  Layer.unwrap(Effect.map(engine, ({ PgStorage }) => PgStorage.fromWorkerOptions(options)))
