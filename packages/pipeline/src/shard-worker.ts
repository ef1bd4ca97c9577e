import { parentPort, Worker, workerData } from "node:worker_threads"
import { failedInput, INPUT_FORMATS, type InputError, type ShardInput, sampleInput } from "@distributed-insert/input"
import type { Shard } from "@distributed-insert/shard"
import type { ShardStorage, StorageError, StorageWorkerConfig } from "@distributed-insert/storage"
import { Effect, type Layer, Schema } from "effect"
import { loadShard, openShard, type ShardProgress } from "./load-shard.ts"
import { ShardRegistry } from "./registry.ts"
import type { ShardReport } from "./report.ts"
import type { DatabaseRouter } from "./router.ts"
import { shardsLayer } from "./shards-layer.ts"

/**
 * What a worker thread is asked to do: load one shard, from a file or its sample data, into the
 * storage the main thread uses (opened from its `workerConfig`). Plain data, since it crosses
 * the thread boundary.
 */
const Format = Schema.Literals(INPUT_FORMATS)

/** A number of seconds, records...: at least 0 (`Infinity` included, `NaN` not). */
const NonNegative = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0))

export const ShardWorkerTask = Schema.Struct({
  shard: Schema.String,
  input: Schema.NullOr(Schema.Struct({ path: Schema.String, format: Schema.optionalKey(Format) })),
  /**
   * The main thread's storage, as its backend describes it (`ShardStorage.workerConfig`). The
   * main thread holds the shard's lock until the worker has exited.
   */
  storage: Schema.Struct({ backend: Schema.String, options: Schema.Unknown }),
  reset: Schema.Boolean,
  batchSize: Schema.Int,
  onConflict: Schema.Literals(["fail", "skip", "replace"]),
  keepRecords: Schema.Int,
  keepRejected: Schema.Int,
  /** Checkpoints (checkpoint-policy.ts); 0 disables each. */
  checkpointRecords: Schema.Natural,
  checkpointSeconds: NonNegative,
  files: Schema.Struct({
    report: Schema.optionalKey(Schema.Struct({ path: Schema.String, spool: Schema.String })),
    rejected: Schema.optionalKey(Schema.String)
  })
})
export type ShardWorkerTask = typeof ShardWorkerTask.Type

type ShardWorkerMessage =
  | { readonly _tag: "Progress"; readonly progress: ShardProgress }
  | { readonly _tag: "Report"; readonly report: ShardReport }
  | { readonly _tag: "Failed"; readonly message: string }

const isShardWorkerMessage = (message: unknown): message is ShardWorkerMessage =>
  typeof message === "object" &&
  message !== null &&
  "_tag" in message &&
  (message._tag === "Progress" || message._tag === "Report" || message._tag === "Failed")

/** Progress crosses threads at most this often. */
const PROGRESS_INTERVAL_MS = 100

/**
 * The body of a worker script: `serveShardWorker({ shards, routers, openInput, storage })` is
 * all it says. The worker rebuilds the plugins from its own imports (functions cannot cross
 * threads) and its storage from the task's `storage` (with the application's `storage`, the
 * one place that knows the backends), runs the same `openShard` + `loadShard` as a fiber
 * would, posts progress, then its report.
 */
export const serveShardWorker = (plugins: {
  readonly shards: ReadonlyArray<Shard>
  readonly routers?: ReadonlyArray<DatabaseRouter>
  readonly openInput: (path: string, format: typeof Format.Type | undefined) => Effect.Effect<ShardInput, InputError>
  readonly storage: (config: StorageWorkerConfig) => Layer.Layer<ShardStorage, StorageError>
}): void => {
  const port = parentPort
  if (port === null) throw new Error("serveShardWorker must run in a worker thread")
  const task = Schema.decodeUnknownSync(ShardWorkerTask)(workerData)
  let lastProgress = 0
  let lastPhase: ShardProgress["phase"] | undefined
  const onProgress = (progress: ShardProgress) => {
    const now = Date.now()
    // A change of phase always crosses: it is what says that the shard is writing or done.
    if (progress.phase === lastPhase && now - lastProgress < PROGRESS_INTERVAL_MS) return
    lastPhase = progress.phase
    lastProgress = now
    port.postMessage({ _tag: "Progress", progress } satisfies ShardWorkerMessage)
  }
  const program = Effect.gen(function* () {
    const registry = yield* ShardRegistry
    const shard = yield* registry.lookup(task.shard)
    const input =
      task.input === null
        ? sampleInput(shard)
        : yield* plugins.openInput(task.input.path, task.input.format).pipe(Effect.catch((error) => Effect.succeed(failedInput(error))))
    const opened = yield* openShard(shard, (database) => (task.reset ? database.reset : Effect.void))
    return yield* loadShard(opened, input, { ...task, onProgress })
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

/**
 * Runs a shard's load in a worker thread started from `script` (whose body calls
 * `serveShardWorker`), as an Effect: interruption stops the worker (see `stopWorker`), and a
 * worker that dies is reported as the shard's failure rather than failing the run.
 */
export const runShardInWorker = (
  script: URL,
  shard: Shard,
  task: ShardWorkerTask,
  onProgress?: (progress: ShardProgress) => void
): Effect.Effect<ShardReport> =>
    Effect.callback<ShardReport>((resume) => {
      const started = new Date()
      // A young generation of 16 MB instead of V8's default 48 MB: the records die young either
      // way, and three workers' worth of nursery is memory the shard databases need more.
      const worker = new Worker(script, { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 16 } })
      let settled = false
      const fail = (message: string) => {
        if (settled) return
        settled = true
        resume(Effect.succeed(workerFailure(shard, task, started, message)))
      }
      worker.on("message", (message: unknown) => {
        if (!isShardWorkerMessage(message)) return
        if (message._tag === "Progress") onProgress?.(message.progress)
        else if (message._tag === "Failed") fail(message.message)
        else if (!settled) {
          settled = true
          resume(Effect.succeed(message.report))
        }
      })
      worker.on("error", (error) => fail(`worker thread failed: ${error.message}`))
      worker.on("exit", (code) => fail(`worker thread exited with code ${code} before reporting`))
      return stopWorker(worker)
    })

/** Asks a worker to interrupt its load. */
const INTERRUPT = "interrupt"

/** Long enough for an interrupted worker to finish its batch or its persist and close. */
const STOP_GRACE_MS = 10_000

/**
 * Stops an interrupted worker: asks it to interrupt its load, so that it finishes the write and
 * report lines under way (they are one uninterruptible step, see load-shard.ts) and closes its
 * database, then terminates the thread once the load has ended (it reports, as it does when
 * interrupted), or after STOP_GRACE_MS if it never does. Terminating it matters: what the
 * load leaves behind, such as a read of a FIFO that never gets a writer, would keep the thread
 * alive for good. Only once the thread has exited does the caller's scope release the shard's
 * lock, which this thread took for the worker.
 *
 * Plain timers rather than `Effect.timeout`: this runs as the canceller of an interrupted
 * `Effect.callback`, which is uninterruptible, so a timeout there could never interrupt the wait.
 */
const stopWorker = (worker: Worker): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    const terminate = () => {
      clearTimeout(grace)
      void worker.terminate()
    }
    const grace = setTimeout(terminate, STOP_GRACE_MS)
    worker.once("exit", () => {
      clearTimeout(grace)
      resume(Effect.void)
    })
    worker.on("message", (message: unknown) => {
      if (isShardWorkerMessage(message) && message._tag !== "Progress") terminate()
    })
    worker.postMessage(INTERRUPT)
  })

const workerFailure = (shard: Shard, task: ShardWorkerTask, started: Date, message: string): ShardReport => {
  const finished = new Date()
  return {
    shard: shard.name,
    model: shard.model,
    database: null,
    location: null,
    input: task.input?.path ?? "sample data",
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    migrationsApplied: [],
    counts: { processed: 0, inserted: 0, replaced: 0, skipped: 0, invalid: 0, failed: 0 },
    rejectedByRule: {},
    firstRejected: [],
    records: [],
    durableThrough: 0,
    checkpoints: 0,
    error: { operation: "worker", message }
  }
}
