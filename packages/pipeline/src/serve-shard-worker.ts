import { parentPort, workerData } from "node:worker_threads"
import type { Shard } from "@distributed-insert/shard"
import type { ShardStorage, StorageError, StorageWorkerConfig } from "@distributed-insert/storage"
import { Effect, type Layer, Result, Schema } from "effect"
import { openSource } from "./input-source.ts"
import { loadShard, openShard, type ShardProgress } from "./load-shard.ts"
import { ShardRegistry } from "./registry.ts"
import type { DatabaseRouter } from "./router.ts"
import { INTERRUPT, type ShardWorkerMessage, ShardWorkerTask } from "./shard-worker-task.ts"
import { shardsLayer } from "./shards-layer.ts"

/** Progress crosses threads at most this often. */
const PROGRESS_INTERVAL_MS = 100

/**
 * The body of a worker script: `serveShardWorker({ shards, routers, storage })` is all it says.
 * The worker rebuilds the plugins from its own imports (functions cannot cross threads) and its
 * storage from the task's `storage` (with the application's `storage`, the one place that knows
 * the backends), opens the task's input and database (routed by the main thread), runs the same
 * `openShard` + `loadShard` as a fiber would, posts progress, then its report.
 */
export const serveShardWorker = (plugins: {
  readonly shards: ReadonlyArray<Shard>
  readonly routers?: ReadonlyArray<DatabaseRouter>
  readonly storage: (config: StorageWorkerConfig) => Layer.Layer<ShardStorage, StorageError>
}): void => {
  const port = parentPort
  if (port === null) throw new Error("serveShardWorker must run in a worker thread")
  const task = Schema.decodeUnknownSync(ShardWorkerTask)(workerData)
  let lastProgress = 0
  let lastPhase: ShardProgress["phase"] | undefined
  let lastDurable = 0
  const onProgress = (progress: ShardProgress) => {
    const now = Date.now()
    // A change of phase always crosses: it is what says that the shard is writing or done. So
    // does a write that made more durable: an interrupted run says what is durable from it.
    const news = progress.phase !== lastPhase || progress.durable.through !== lastDurable
    if (!news && now - lastProgress < PROGRESS_INTERVAL_MS) return
    lastPhase = progress.phase
    lastDurable = progress.durable.through
    lastProgress = now
    port.postMessage({ _tag: "Progress", progress } satisfies ShardWorkerMessage)
  }
  const program = Effect.gen(function* () {
    const registry = yield* ShardRegistry
    const shard = yield* registry.lookup(task.shard)
    const input = yield* openSource(shard, task.input)
    const opened = yield* openShard({ shard, database: Result.succeed(task.database) }, (database) => (task.reset ? database.reset : Effect.void))
    return yield* loadShard(opened, input, { settings: task.settings, files: task.files, onProgress })
  })
  // The main thread took the shard's lock for the worker, before the run's report file was
  // started (see populate.ts), and keeps it until the worker has exited.
  const storage = plugins.storage(task.storage)
  const layer = shardsLayer({ shards: plugins.shards, routers: plugins.routers ?? [], storage })
  // Sent by runShardInWorker when the run is interrupted: interrupting the load, rather than
  // having the thread terminated, runs its finalizers, which finish or abandon its write and
  // close its database before the main thread releases the shard's lock.
  const interruption = new AbortController()
  port.on("message", (message: unknown) => {
    if (message === INTERRUPT) interruption.abort()
  })
  // Listening must not keep the thread alive once the load is done.
  port.unref()
  // loadShard reports rather than fails; what can fail is finding the shard or a defect.
  Effect.runPromise(Effect.provide(program, layer), { signal: interruption.signal }).then(
    (report) => port.postMessage({ _tag: "Report", report } satisfies ShardWorkerMessage),
    (error: unknown) =>
      port.postMessage({ _tag: "Failed", message: error instanceof Error ? error.message : String(error) } satisfies ShardWorkerMessage)
  )
}
