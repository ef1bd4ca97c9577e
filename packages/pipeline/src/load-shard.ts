import type { InputError, ShardInput } from "@distributed-insert/input"
import type { Shard } from "@distributed-insert/shard"
import { type ShardDatabase, ShardStorage, type StorageError } from "@distributed-insert/storage"
import { Effect, Result } from "effect"
import { checkpointPolicy } from "./checkpoint-policy.ts"
import { ReportError, type UnroutableModelError } from "./errors.ts"
import { insertRecords } from "./insert-records.ts"
import { type LoadSettings, loadSettings } from "./load-settings.ts"
import { type AppliedStep, migrateDatabase } from "./migrate.ts"
import { notPersisted } from "./not-persisted.ts"
import type { Counts, ShardFailure, ShardReport } from "./report.ts"
import type { ResultFiles } from "./result-files.ts"
import type { RoutedShard } from "./routed-shard.ts"
import { makeTally, type Tally } from "./shard-tally.ts"

/**
 * Where a shard's load is: `loading` its records (first told with none seen, when loading
 * starts), `writing` its database back (a checkpoint, or the final write), then `done` or
 * `failed`, told once when the shard has finished and its report is ready.
 */
export type ShardPhase = "loading" | "writing" | "done" | "failed"

/** How far a shard's load is: what its records became so far, and how much input was read. */
export interface ShardProgress {
  readonly shard: string
  readonly phase: ShardPhase
  /** What the records of the committed batches became. */
  readonly counts: Counts
  /** Records read and validated so far: ahead of `counts.processed` by at most a batch, and moves within one. */
  readonly seen: number
  readonly input: { readonly done: number; readonly total: number | null } | null
  /**
   * What is durable so far: the input's records 1 to `through`, which became `counts` (zero
   * before the first checkpoint or commit). Told as soon as a write makes more durable, so
   * that what an interrupted run says of its shards is never behind or ahead of their files.
   */
  readonly durable: { readonly through: number; readonly counts: Counts }
}

export interface LoadOptions {
  /** Those not given are `DEFAULT_LOAD_SETTINGS`'s. */
  readonly settings?: Partial<LoadSettings>
  readonly files?: ResultFiles
  readonly onProgress?: (progress: ShardProgress) => void
}

/** A shard whose write database was routed, opened (and reset if asked) and migrated, or why not. */
export interface OpenedShard {
  readonly shard: Shard
  readonly started: Date
  readonly opened: Result.Result<
    { readonly database: ShardDatabase; readonly migrations: ReadonlyArray<AppliedStep> },
    StorageError | UnroutableModelError
  >
}

/**
 * Opens the database `routed` says the shard writes to (the routing's failure is the shard's),
 * has `prepare` reset it if asked, and migrates it.
 */
export const openShard = ({ shard, database: routed }: RoutedShard, prepare: (database: ShardDatabase) => Effect.Effect<void, StorageError>) =>
  Effect.gen(function* () {
    const storage = yield* ShardStorage
    const started = new Date()
    const opened = yield* Effect.result(
      Effect.gen(function* () {
        const database = yield* storage.database(yield* Effect.fromResult(routed))
        yield* prepare(database)
        return { database, migrations: yield* migrateDatabase(database) }
      })
    )
    const result: OpenedShard = { shard, started, opened }
    return result
  })

/**
 * Streams `input` into an opened shard, writes the database back at checkpoints on the way
 * (see `CheckpointOptions`) and at the end. Never fails: whatever stops the shard is in the
 * report's `error`, and then what it inserted after its last checkpoint (`durableThrough`)
 * did not land, which the counts say (those inserted records become `failed`, `not-persisted`).
 */
export const loadShard = (opened: OpenedShard, input: ShardInput, options: LoadOptions = {}): Effect.Effect<ShardReport> =>
  Effect.tap(load(opened, input, options), (report) =>
    Effect.sync(() =>
      options.onProgress?.({
        shard: report.shard,
        phase: report.error === null ? "done" : "failed",
        counts: report.counts,
        seen: report.counts.processed,
        input: input.progress?.() ?? null,
        // The report's counts: a failed shard's count what its files hold (see `notPersisted`).
        durable: { through: report.durableThrough, counts: report.counts }
      })
    )
  )

const load = ({ shard, started, opened }: OpenedShard, input: ShardInput, options: LoadOptions) =>
  Effect.gen(function* () {
    const settings = loadSettings(options.settings)
    let durableThrough = 0
    let durableCounts: Counts = { processed: 0, inserted: 0, replaced: 0, skipped: 0, invalid: 0, failed: 0 }
    let checkpoints = 0
    const report = (
      fields: Omit<ShardReport, "shard" | "model" | "input" | "startedAt" | "finishedAt" | "durationMs" | "durableThrough" | "checkpoints">
    ): ShardReport => {
      const finished = new Date()
      return {
        shard: shard.name,
        model: shard.model,
        database: fields.database,
        location: fields.location,
        input: input.origin,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        migrationsApplied: fields.migrationsApplied,
        counts: fields.counts,
        rejectedByRule: fields.rejectedByRule,
        firstRejected: fields.firstRejected,
        records: fields.records,
        durableThrough,
        checkpoints,
        error: fields.error
      }
    }
    const nothing = {
      counts: { processed: 0, inserted: 0, replaced: 0, skipped: 0, invalid: 0, failed: 0 },
      rejectedByRule: {},
      firstRejected: [],
      records: []
    }

    if (Result.isFailure(opened)) {
      const location = opened.failure._tag === "StorageError" ? opened.failure.location : null
      return report({ database: null, location, migrationsApplied: [], ...nothing, error: failureOf(opened.failure) })
    }
    const { database, migrations } = opened.success
    const where = { database: database.name, location: database.location, migrationsApplied: migrations }
    const tallied = yield* Effect.result(
      Effect.try({
        try: () =>
          makeTally({ shard: shard.name, keepRecords: settings.keepRecords, keepRejected: settings.keepRejected, files: options.files ?? {} }),
        catch: asReportError
      })
    )
    if (Result.isFailure(tallied)) return report({ ...where, ...nothing, error: failureOf(tallied.failure) })
    const tally = tallied.success

    let seen = 0
    const progress = (phase: ShardPhase) => {
      const counts = tally.counts()
      seen = Math.max(seen, counts.processed)
      options.onProgress?.({
        shard: shard.name,
        phase,
        counts,
        seen,
        input: input.progress?.() ?? null,
        durable: { through: durableThrough, counts: durableCounts }
      })
    }
    // Within the same uninterruptible step as the write: an interruption right after it must
    // not leave the progress a write behind.
    const becameDurable = (through: number, phase: ShardPhase) =>
      Effect.sync(() => {
        durableThrough = through
        durableCounts = tally.counts()
      }).pipe(
        Effect.andThen(Effect.try({ try: () => tally.durable(through), catch: asReportError })),
        Effect.andThen(Effect.sync(() => progress(phase)))
      )
    const policy = checkpointPolicy(settings)
    // The records processed so far become durable: the database first, then the report says so.
    // One uninterruptible step: an interruption (Ctrl-C, SIGTERM, a worker told to stop) that
    // landed between the write and the report's lines would leave the report a checkpoint
    // behind the file, and one that cut the lines short would leave it part of one behind. A
    // SIGKILL still can, in between; the report then says less than is durable, never more.
    // The last write leaves the shard file whole (no journal pending) for any other reader.
    const makeDurable = (through: number, isCheckpoint: boolean) =>
      Effect.sync(() => progress("writing")).pipe(
        Effect.andThen(isCheckpoint ? database.persist : (database.persistWhole ?? database.persist)),
        Effect.andThen(
          Effect.sync(() => {
            if (isCheckpoint) {
              checkpoints++
              policy.done(through)
            }
          })
        ),
        // After a checkpoint the load goes on; after the last write the shard is done, told by loadShard.
        Effect.andThen(becameDurable(through, isCheckpoint ? "loading" : "writing"))
      ).pipe(Effect.uninterruptible)
    // A database whose commits are durable has nothing to write: each committed batch is
    // durable as it stands, and the report says so batch by batch.
    // The last batch's marker is written with it (see insertRecords): the end of the load then
    // has nothing more to say, and says nothing twice.
    const committed = (through: number) =>
      Effect.suspend(() =>
        through === durableThrough ? Effect.void : becameDurable(through, "loading")
      ).pipe(Effect.uninterruptible)
    const checkpoint = (processed: number) =>
      database.durability === "commit"
        ? committed(processed)
        : policy.due(processed)
          ? makeDurable(processed, true)
          : Effect.void
    progress("loading")
    const loaded = yield* Effect.result(
      insertRecords(shard, database, input, tally, {
        batchSize: settings.batchSize,
        onConflict: settings.onConflict,
        onBatch: () => progress("loading"),
        onRecords: (records) => {
          seen = records
          progress("loading")
        },
        afterBatch: checkpoint
      }).pipe(
        Effect.andThen(
          Effect.suspend(() =>
            database.durability === "commit" ? committed(tally.counts().processed) : makeDurable(tally.counts().processed, false)
          )
        ),
        Effect.andThen(Effect.try({ try: () => tally.close(), catch: asReportError }))
      )
    )
    if (Result.isSuccess(loaded)) return report({ ...where, ...summaryOf(tally), error: null })
    const failure = failureOf(loaded.failure)
    const summary = notPersisted(summaryOf(tally), failure.message, durableThrough, tally.pending())
    // The held results go to the report as not persisted (unless the report itself is what
    // failed), and the result logs are flushed, on this path too; if that fails as well, the
    // report says so.
    const closed = yield* Effect.result(
      Effect.try({
        try: () => {
          try {
            if (loaded.failure._tag !== "ReportError") tally.abandon(failure.message)
          } finally {
            tally.close()
          }
        },
        catch: asReportError
      })
    )
    // A result log that failed during the load (a full temp folder) fails again, the same way,
    // when flushed here: that is one problem, said once.
    const alsoFailed = Result.isFailure(closed) && closed.failure !== loaded.failure && closed.failure.message !== failure.message
    const error = alsoFailed ? { ...failure, message: `${failure.message}; ${closed.failure.message}` } : failure
    return report({ ...where, ...summary, error })
  })

type Summary = Pick<ShardReport, "counts" | "rejectedByRule" | "firstRejected" | "records">

const summaryOf = (tally: Tally): Summary => ({
  counts: tally.counts(),
  rejectedByRule: tally.rejectedByRule(),
  firstRejected: tally.firstRejected(),
  records: tally.records()
})

const asReportError = (cause: unknown): ReportError =>
  cause instanceof ReportError ? cause : new ReportError({ path: "result files", reason: cause instanceof Error ? cause.message : String(cause), cause })

const failureOf = (error: StorageError | UnroutableModelError | InputError | ReportError): ShardFailure => {
  switch (error._tag) {
    case "StorageError":
      return { operation: error.operation, message: error.message }
    case "UnroutableModelError":
      return { operation: "route", message: error.message }
    case "InputError":
      return { operation: "input", message: error.message }
    case "ReportError":
      return { operation: "report", message: error.message }
  }
}
