import type { Shard } from "@distributed-insert/shard"
import { type ShardDatabase, ShardStorage, type StorageError } from "@distributed-insert/storage"
import { Cache, Effect, Option, Result } from "effect"
import { type InputSource, openSource, SAMPLE_DATA } from "./input-source.ts"
import { type LoadSettings, loadSettings } from "./load-settings.ts"
import { loadShard, openShard, type ShardProgress } from "./load-shard.ts"
import { type RunReport, type ShardReport, summarize } from "./report.ts"
import { type ReportTarget, startReportFile } from "./report-file.ts"
import type { ResultFiles } from "./result-files.ts"
import { type RoutedShard, routeShard } from "./routed-shard.ts"
import type { RunPlan } from "./run-plan.ts"
import { runShardInWorker } from "./run-shard-in-worker.ts"
import { selectShards } from "./select-shards.ts"
import { type ShardWorkers, workerTasks } from "./worker-tasks.ts"

export interface PopulateOptions {
  /** Shards to load, by shard or model name; all registered shards when empty. */
  readonly shards?: ReadonlyArray<string>
  /** Where a shard's records come from; its built-in sample data when this gives none. */
  readonly inputs?: (shard: Shard) => InputSource | undefined
  /** Start every selected shard's database from empty (the old file stays until the new one is written). */
  readonly reset?: boolean
  /** How every shard is loaded; the settings not given are `DEFAULT_LOAD_SETTINGS`'s. */
  readonly settings?: Partial<LoadSettings>
  /** Where each shard's results are written as NDJSON, besides the report. */
  readonly files?: (shard: Shard) => ResultFiles
  /**
   * The report file the shards' `files` append to (`ResultFiles.report.path`): checked and
   * emptied once every shard's lock is held, before any shard runs (see report-file.ts). If it
   * is refused or cannot be written, or another writer holds a shard's lock, `populate` fails
   * with a `ReportError` and loads nothing.
   */
  readonly report?: ReportTarget
  /** Told each shard's progress, from whichever thread loads it, ending with its `done` or `failed`. */
  readonly onProgress?: (progress: ShardProgress) => void
  /** Worker threads to load the shards in that want them and can (see `workerTasks`); without, all load as fibers of this thread. */
  readonly workers?: ShardWorkers
}

/**
 * Loads every selected shard concurrently, one fiber or worker thread per shard, and reports
 * each record.
 *
 * Each shard is routed once, and its database goes with it from there on. Before anything is
 * read, created or emptied, the lock of every database a selected shard writes is taken
 * (`ShardStorage.lockAll`), for the shards loaded in worker threads too, which write under
 * this thread's locks; then the report file is started; then the shards run.
 *
 * Shards fail alone: a shard whose database cannot be routed, opened, migrated or written, or
 * whose input cannot be read, is reported with its error while the others complete. Reports
 * come back in registration order, whatever order the shards finish in.
 */
export const populate = (options: PopulateOptions = {}) =>
  Effect.gen(function* () {
    const startedAt = new Date().toISOString()
    const shards = yield* Effect.forEach(yield* selectShards(options.shards), routeShard)
    const databases = shards.flatMap(({ database }) => (Result.isSuccess(database) ? [database.success] : []))
    yield* (yield* ShardStorage).lockAll(databases)
    if (options.report !== undefined) yield* startReportFile(options.report, databases)

    const plan: RunPlan = {
      // The one place where a shard given no input falls back to its sample data.
      sourceOf: (shard) => options.inputs?.(shard) ?? SAMPLE_DATA,
      filesOf: (shard) => options.files?.(shard) ?? {},
      settings: loadSettings(options.settings),
      reset: options.reset === true
    }
    const onProgress = options.onProgress ?? (() => {})
    // The shards that load in worker threads, each as the Effect that runs its worker.
    const inWorkers = new Map<Shard, Effect.Effect<ShardReport>>()
    if (options.workers !== undefined) {
      const { script } = options.workers
      for (const [shard, task] of yield* workerTasks(shards, options.workers, plan)) {
        inWorkers.set(shard, runShardInWorker(script, shard, task, onProgress))
      }
    }
    const [fromWorkers, fromHere] = yield* Effect.all(
      [
        Effect.forEach(inWorkers, ([shard, run]) => Effect.map(run, (report) => [shard, report] as const), { concurrency: "unbounded" }),
        loadHere(
          shards.filter(({ shard }) => !inWorkers.has(shard)),
          plan,
          onProgress
        )
      ],
      { concurrency: "unbounded" }
    )
    const byShard = new Map<Shard, ShardReport>([...fromWorkers, ...fromHere])
    const reports = shards.flatMap(({ shard }) => Option.toArray(Option.fromNullishOr(byShard.get(shard))))
    const report: RunReport = { startedAt, finishedAt: new Date().toISOString(), shards: reports, summary: summarize(reports) }
    return report
  })

/**
 * The shards that run as fibers of this thread. All are opened and migrated before any of
 * them inserts: opening waits for file I/O, and a fiber resumed from I/O would run all its
 * batches (yielding only to fibers that are ready) before the others had even opened.
 */
const loadHere = (shards: ReadonlyArray<RoutedShard>, plan: RunPlan, onProgress: (progress: ShardProgress) => void) =>
  Effect.gen(function* () {
    // Cached per database, so two models sharing one are reset once, before either inserts.
    const resets = yield* Cache.make({ capacity: Number.MAX_SAFE_INTEGER, lookup: (database: ShardDatabase) => database.reset })
    const prepare = plan.reset
      ? (database: ShardDatabase) => Cache.get(resets, database)
      : (): Effect.Effect<void, StorageError> => Effect.void
    const opened = yield* Effect.forEach(shards, (shard) => openShard(shard, prepare), { concurrency: "unbounded" })
    return yield* Effect.forEach(
      opened,
      (opened) =>
        Effect.gen(function* () {
          const input = yield* openSource(opened.shard, plan.sourceOf(opened.shard))
          const report = yield* loadShard(opened, input, { settings: plan.settings, files: plan.filesOf(opened.shard), onProgress })
          return [opened.shard, report] as const
        }),
      { concurrency: "unbounded" }
    )
  })
