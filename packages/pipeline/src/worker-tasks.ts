import type { Shard, ShardName } from "@distributed-insert/shard"
import { ShardStorage, type StorageError } from "@distributed-insert/storage"
import { Effect, Result } from "effect"
import { isWorkerSource, type WorkerSource } from "./input-source.ts"
import type { RoutedShard } from "./routed-shard.ts"
import type { RunPlan } from "./run-plan.ts"
import type { ShardWorkerTask } from "./shard-worker-task.ts"

/** Worker threads for `populate` to load shards in. */
export interface ShardWorkers {
  /** The worker's entry: a script whose body calls `serveShardWorker`. */
  readonly script: URL
  /** Whether the caller wants `shard` loaded in a worker thread; it is only if it can be (see `workerTasks`). */
  readonly wanted: (shard: Shard) => boolean
}

/**
 * The shards of a run that load in worker threads, each with its worker's task: those the caller
 * wants there that can go, that is when
 * - the storage can be opened by another thread (it has a `workerConfig`): one held in this
 *   thread's memory cannot, so a run on it stays on it, in this thread;
 * - the shard's database was routed, its lock is held by this thread (a refused shard is
 *   reported by this thread, as its fiber would be), and no other selected shard writes to
 *   it: models sharing a database share its connection, which lives in one thread;
 * - its input can be opened by a worker: not standard input, nor records already open here.
 * The storage's `workerConfig` is asked only when some shard goes, once for all of them.
 */
export const workerTasks = (
  shards: ReadonlyArray<RoutedShard>,
  workers: ShardWorkers,
  plan: RunPlan
): Effect.Effect<ReadonlyMap<Shard, ShardWorkerTask>, StorageError, ShardStorage> =>
  Effect.gen(function* () {
    const storage = yield* ShardStorage
    if (storage.workerConfig === undefined) return new Map()
    const writers = new Map<ShardName, number>()
    for (const { database } of shards) {
      if (Result.isSuccess(database)) writers.set(database.success, (writers.get(database.success) ?? 0) + 1)
    }
    const going: Array<{ readonly shard: Shard; readonly database: ShardName; readonly input: WorkerSource }> = []
    for (const { shard, database } of shards) {
      const input = plan.sourceOf(shard)
      if (!workers.wanted(shard) || !isWorkerSource(input)) continue
      if (Result.isFailure(database) || writers.get(database.success) !== 1) continue
      // A lock that was refused fails the shard where it loads: here, and only once.
      if (Result.isFailure(yield* Effect.result(storage.lock(database.success)))) continue
      going.push({ shard, database: database.success, input })
    }
    if (going.length === 0) return new Map()
    const config = yield* storage.workerConfig
    const tasks = new Map<Shard, ShardWorkerTask>()
    for (const { shard, database, input } of going) {
      tasks.set(shard, { shard: shard.name, database, input, storage: config, reset: plan.reset, settings: plan.settings, files: plan.filesOf(shard) })
    }
    return tasks
  })
