import { type ShardInput, sampleInput } from "@distributed-insert/input"
import type { Shard } from "@distributed-insert/shard"
import { type ShardDatabase, ShardStorage, type StorageError } from "@distributed-insert/storage"
import { Cache, Effect, Option, Result } from "effect"
import { type LoadOptions, loadShard, openShard } from "./load-shard.ts"
import { type RunReport, type ShardReport, summarize } from "./report.ts"
import { type ReportTarget, startReportFile } from "./report-file.ts"
import { Router } from "./router.ts"
import { selectShards } from "./select-shards.ts"
import type { ResultFiles } from "./shard-tally.ts"

export interface PopulateOptions extends Omit<LoadOptions, "files"> {
  /** Shards to load, by shard or model name; all registered shards when empty. */
  readonly shards?: ReadonlyArray<string>
  /** A shard's input; its built-in sample data by default. */
  readonly inputs?: (shard: Shard) => ShardInput
  /** Start every selected shard's database from empty (the old file stays until the new one is written). */
  readonly reset?: boolean
  /** Where each shard's results are written as NDJSON, besides the report. */
  readonly files?: (shard: Shard) => ResultFiles
  /**
   * The report file the shards' `files` append to (`ResultFiles.report.path`): checked and
   * emptied once every shard's lock is held, before any shard runs (see report-file.ts). If it
   * is refused or cannot be written, `populate` fails with a `ReportError` and loads nothing.
   */
  readonly report?: ReportTarget
  /**
   * Runs a shard somewhere else (a worker thread) instead of as a fiber of this thread;
   * `None` keeps it here. The returned Effect must report, never fail. It runs only once this
   * thread holds the lock of the shard's database, until `populate`'s caller's scope closes,
   * so it must not lock it again (a worker opens the storage from its `workerConfig`); a
   * shard whose lock was refused is reported here and never offloaded.
   */
  readonly offload?: (shard: Shard) => Option.Option<Effect.Effect<ShardReport>>
}

/**
 * Loads every selected shard concurrently, one fiber per shard, and reports each record.
 *
 * Before anything is read, created or emptied, the lock of every database a selected shard
 * writes is taken (`ShardStorage.lockAll`), the offloaded shards' too; then
 * the report file is started; then the shards run.
 *
 * Shards fail alone: a shard whose database cannot be routed, opened, migrated or written, or
 * whose input cannot be read, is reported with its error while the others complete. Reports
 * come back in registration order, whatever order the fibers finish in.
 */
export const populate = (options: PopulateOptions = {}) =>
  Effect.gen(function* () {
    const shards = yield* selectShards(options.shards)
    const startedAt = new Date().toISOString()
    const router = yield* Router
    // A shard that cannot be routed is left for openShard to report.
    const databases = yield* Effect.forEach(shards, (shard) => Effect.option(router.dbForWrite(shard.model)))
    yield* (yield* ShardStorage).lockAll(databases.flatMap(Option.toArray))
    if (options.report !== undefined) yield* startReportFile(options.report)
    const offloaded = new Map(
      shards.flatMap((shard) =>
        Option.toArray(Option.map(options.offload?.(shard) ?? Option.none(), (run) => [shard, lockedOr(shard, run, options)] as const))
      )
    )
    const local = shards.filter((shard) => !offloaded.has(shard))
    const [remote, here] = yield* Effect.all(
      [
        Effect.forEach([...offloaded.values()], (run) => run, { concurrency: "unbounded" }),
        loadHere(local, options)
      ],
      { concurrency: "unbounded" }
    )
    const byShard = new Map<Shard, ShardReport>()
    ;[...offloaded.keys()].forEach((shard, index) => {
      const report = remote[index]
      if (report !== undefined) byShard.set(shard, report)
    })
    local.forEach((shard, index) => {
      const report = here[index]
      if (report !== undefined) byShard.set(shard, report)
    })
    const reports = shards.flatMap((shard) => Option.toArray(Option.fromNullishOr(byShard.get(shard))))
    const report: RunReport = { startedAt, finishedAt: new Date().toISOString(), shards: reports, summary: summarize(reports) }
    return report
  })

/**
 * Runs an offloaded shard if this thread holds its database's lock; otherwise reports why not
 * (the lock's failure, or the routing's) as a fiber would, without starting it elsewhere.
 */
const lockedOr = (shard: Shard, run: Effect.Effect<ShardReport>, options: PopulateOptions) =>
  Effect.gen(function* () {
    const router = yield* Router
    const storage = yield* ShardStorage
    const locked = yield* Effect.result(Effect.flatMap(router.dbForWrite(shard.model), storage.lock))
    if (Result.isSuccess(locked)) return yield* run
    // Opening fails with the lock's (cached) failure, so the input is never read.
    return yield* loadShard(yield* openShard(shard, () => Effect.void), options.inputs?.(shard) ?? sampleInput(shard))
  })

/**
 * The shards that run as fibers of this thread. All are opened and migrated before any of
 * them inserts: opening waits for file I/O, and a fiber resumed from I/O would run all its
 * batches (yielding only to fibers that are ready) before the others had even opened.
 */
const loadHere = (shards: ReadonlyArray<Shard>, options: PopulateOptions) =>
  Effect.gen(function* () {
    // Cached per database, so two models sharing one are reset once, before either inserts.
    const resets = yield* Cache.make({ capacity: Number.MAX_SAFE_INTEGER, lookup: (database: ShardDatabase) => database.reset })
    const prepare =
      options.reset === true
        ? (database: ShardDatabase) => Cache.get(resets, database)
        : (): Effect.Effect<void, StorageError> => Effect.void
    const opened = yield* Effect.forEach(shards, (shard) => openShard(shard, prepare), { concurrency: "unbounded" })
    return yield* Effect.forEach(
      opened,
      (shard) =>
        loadShard(shard, options.inputs?.(shard.shard) ?? sampleInput(shard.shard), {
          ...options,
          files: options.files?.(shard.shard) ?? {}
        }),
      { concurrency: "unbounded" }
    )
  })
