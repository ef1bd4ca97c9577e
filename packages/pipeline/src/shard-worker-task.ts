import { ShardName } from "@distributed-insert/shard"
import { StorageWorkerConfig } from "@distributed-insert/storage"
import { Schema } from "effect"
import { WorkerSource } from "./input-source.ts"
import { LoadSettings } from "./load-settings.ts"
import type { ShardProgress } from "./load-shard.ts"
import type { ShardReport } from "./report.ts"

/**
 * What a worker thread is asked to do: load one shard, from a file or its sample data, into the
 * storage the main thread uses (opened from its `workerConfig`), as `populate` planned it. Plain
 * data, since it crosses the thread boundary; the worker decodes it.
 */
export const ShardWorkerTask = Schema.Struct({
  shard: Schema.String,
  /** The database the main thread routed the shard to; it holds its lock until the worker has exited. */
  database: ShardName,
  input: WorkerSource,
  /** The main thread's storage, as its backend describes it (`ShardStorage.workerConfig`). */
  storage: StorageWorkerConfig,
  reset: Schema.Boolean,
  settings: LoadSettings,
  files: Schema.Struct({
    report: Schema.optionalKey(Schema.Struct({ path: Schema.String, spool: Schema.String })),
    rejected: Schema.optionalKey(Schema.String)
  })
})
export type ShardWorkerTask = typeof ShardWorkerTask.Type

/** What a worker thread tells the thread that started it. */
export type ShardWorkerMessage =
  | { readonly _tag: "Progress"; readonly progress: ShardProgress }
  | { readonly _tag: "Report"; readonly report: ShardReport }
  | { readonly _tag: "Failed"; readonly message: string }

export const isShardWorkerMessage = (message: unknown): message is ShardWorkerMessage =>
  typeof message === "object" &&
  message !== null &&
  "_tag" in message &&
  (message._tag === "Progress" || message._tag === "Report" || message._tag === "Failed")

/** What the starting thread tells a worker when the run is interrupted: interrupt the load. */
export const INTERRUPT = "interrupt"
