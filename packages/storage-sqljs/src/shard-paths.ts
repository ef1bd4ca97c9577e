import { join } from "node:path"
import { ShardName } from "@distributed-insert/shard"
import { Schema } from "effect"

/**
 * Databases kept elsewhere than `<dataDir>/<name>.db`: a file path by database name. Plain data,
 * so that it crosses to a worker thread with the rest of the storage's options.
 */
export const ShardFiles = Schema.Record(ShardName, Schema.String)
export type ShardFiles = typeof ShardFiles.Type

/**
 * The file of each database: the one `files` gives it, else `<dataDir>/<name>.db`. Everything
 * the storage keeps for a database is beside its file and named after it (the lock, the temp
 * file of a write, SQLite's journals it looks for), so it follows the file wherever it is.
 */
export const shardFileIn =
  (options: { readonly dataDir: string; readonly files?: ShardFiles | undefined }) =>
  (name: ShardName): string =>
    options.files?.[name] ?? join(options.dataDir, `${name}.db`)
