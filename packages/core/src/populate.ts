import { Cache, Effect, Option } from "effect"
import type { StorageError } from "./errors.ts"
import { type LoadOptions, loadShard, openShard } from "./load-shard.ts"
import { openInLockOrder } from "./lock-order.ts"
import type { ShardInput } from "./record-source.ts"
import type { RunReport, ShardReport } from "./report.ts"
import { summarize } from "./report.ts"
import { Router } from "./router.ts"
import { sampleInput } from "./sample-input.ts"
import { selectShards } from "./select-shards.ts"
import type { Shard } from "./shard.ts"
import type { ResultFiles } from "./shard-tally.ts"
import type { ShardDatabase } from "./storage.ts"

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
   * Runs a shard somewhere else (a worker thread) instead of as a fiber of this thread;
   * `None` keeps it here. The returned Effect must report, never fail.
   */
  readonly offload?: (shard: Shard) => Option.Option<Effect.Effect<ShardReport>>
}

/**
 * Loads every selected shard concurrently, one fiber per shard, and reports each record.
 *
 * Shards fail alone: a shard whose database cannot be routed, opened, migrated or written, or
 * whose input cannot be read, is reported with its error while the others complete. Reports
 * come back in registration order, whatever order the fibers finish in.
 */
export const populate = (options: PopulateOptions = {}) =>
  Effect.gen(function* () {
    const shards = yield* selectShards(options.shards)
    const startedAt = new Date().toISOString()
    const offloaded = new Map(shards.flatMap((shard) => Option.toArray(Option.map(options.offload?.(shard) ?? Option.none(), (run) => [shard, run] as const))))
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
 * The shards that run as fibers of this thread. All are opened and migrated before any of
 * them inserts: opening waits for file I/O, and a fiber resumed from I/O would run all its
 * batches (yielding only to fibers that are ready) before the others had even opened.
 */
const loadHere = (shards: ReadonlyArray<Shard>, options: PopulateOptions) =>
  Effect.gen(function* () {
    // A shard that cannot be routed is left for openShard to report.
    const router = yield* Router
    const databases = yield* Effect.forEach(shards, (shard) => Effect.option(router.dbForWrite(shard.model)))
    yield* openInLockOrder(databases.flatMap(Option.toArray))
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
