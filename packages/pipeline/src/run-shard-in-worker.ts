import { Worker } from "node:worker_threads"
import type { Shard } from "@distributed-insert/shard"
import { Effect } from "effect"
import { originOf } from "./input-source.ts"
import type { ShardProgress } from "./load-shard.ts"
import type { ShardReport } from "./report.ts"
import { INTERRUPT, isShardWorkerMessage, type ShardWorkerTask } from "./shard-worker-task.ts"

/*
 * node:worker_threads rather than Effect's workers (effect/workers with @effect/platform-node's
 * NodeWorker): NodeWorker terminates a worker 5 s after asking it to close, which can cut short
 * the persist of a large shard that an interrupted worker is finishing (see STOP_GRACE_MS), and
 * its request/reply protocol would carry one task, its throttled progress and a report that
 * this file already carries in three message kinds.
 */

/**
 * Runs a shard's load in a worker thread started from `script` (whose body calls
 * `serveShardWorker`), as an Effect: interruption stops the worker (see `stopWorker`), and a
 * worker that dies is reported as the shard's failure rather than failing the run. Progress is
 * told as a fiber's is, ending with `done` or `failed`, which a worker that died never told.
 */
export const runShardInWorker = (
  script: URL,
  shard: Shard,
  task: ShardWorkerTask,
  onProgress?: (progress: ShardProgress) => void
): Effect.Effect<ShardReport> =>
  Effect.callback<ShardReport>((resume) => {
    const started = new Date()
    let last: ShardProgress | undefined
    let settled = false
    let stopping = false
    const settle = (report: ShardReport) => {
      if (settled) return
      settled = true
      // A worker stopped by the run's interruption neither finished nor failed (it answers
      // "Failed: interrupted"): its last progress, which told every write it made, stands.
      if (!stopping && last?.phase !== "done" && last?.phase !== "failed") onProgress?.(finalProgress(report, last))
      resume(Effect.succeed(report))
    }
    const fail = (message: string) => settle(workerFailure(shard, task, started, message))
    let worker: Worker
    try {
      // A young generation of 16 MB instead of V8's default 48 MB: the records die young either
      // way, and three workers' worth of nursery is memory the shard databases need more.
      worker = new Worker(script, { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 16 } })
    } catch (error) {
      fail(`worker thread could not start: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    worker.on("message", (message: unknown) => {
      if (!isShardWorkerMessage(message)) return
      if (message._tag === "Progress") {
        last = message.progress
        onProgress?.(message.progress)
      } else if (message._tag === "Failed") fail(message.message)
      else settle(message.report)
    })
    worker.on("error", (error) => fail(`worker thread failed: ${error.message}`))
    worker.on("exit", (code) => fail(`worker thread exited with code ${code} before reporting`))
    return Effect.suspend(() => {
      stopping = true
      return stopWorker(worker)
    })
  })

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

/** The shard's last progress, as its report ends it: how far its input was read is the last told. */
const finalProgress = (report: ShardReport, last: ShardProgress | undefined): ShardProgress => ({
  shard: report.shard,
  phase: report.error === null ? "done" : "failed",
  counts: report.counts,
  seen: report.counts.processed,
  input: last?.input ?? null,
  durable: { through: report.durableThrough, counts: report.counts }
})

const workerFailure = (shard: Shard, task: ShardWorkerTask, started: Date, message: string): ShardReport => {
  const finished = new Date()
  return {
    shard: shard.name,
    model: shard.model,
    database: null,
    location: null,
    input: originOf(shard, task.input),
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
