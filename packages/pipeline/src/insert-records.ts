import { InputError, type MalformedInput, type ShardInput, type SourceItem } from "@distributed-insert/input"
import { type RecordIssue, type Row, type Shard, type Validation, valueOutOfBounds } from "@distributed-insert/shard"
import { type ConflictMode, type Refusal, RowOutcome, type ShardDatabase, type StorageError } from "@distributed-insert/storage"
import { Effect, Result } from "effect"
import { ReportError } from "./errors.ts"
import { DEFAULT_LOAD_SETTINGS, type LoadSettings } from "./load-settings.ts"
import type { RecordResult } from "./report.ts"

/**
 * Where results go. An inserted record is told by its coordinates only: at hundreds of
 * thousands of records per second, a result object per success is garbage worth avoiding.
 */
export interface ResultSink {
  readonly inserted: (position: number, line: number, data: unknown) => void
  /** A record that landed over a stored one, or was skipped for it. */
  readonly conflicted: (result: RecordResult) => void
  readonly rejected: (result: RecordResult) => void
}

/** The result of a record that landed, in the report's shape. */
export const insertedResult = (position: number, line: number, data: unknown): RecordResult => ({
  position,
  line,
  data,
  success: true,
  errors: null,
  status: "inserted",
  issues: []
})

/** `batchSize` and `onConflict` default to `DEFAULT_LOAD_SETTINGS`'s. */
export interface InsertOptions extends Partial<Pick<LoadSettings, "batchSize" | "onConflict">> {
  /** Told after every batch; cheap enough to call often. */
  readonly onBatch?: () => void
  /**
   * Told after every chunk of the input, with how many records were read so far. A batch runs
   * synchronously from its validation to its commit, so a display can only draw while records
   * are read: progress told per batch alone would move in steps of the batch size.
   */
  readonly onRecords?: (seen: number) => void
  /**
   * Runs after every batch but the last (after the last too where commits are durable), with how
   * many records were processed so far: the place for a checkpoint or a marker, never in the
   * middle of a batch. Its failure stops the load.
   */
  readonly afterBatch?: (processed: number) => Effect.Effect<void, StorageError | ReportError>
}

/**
 * Streams `input` into `database`: per batch, one synchronous validation loop, one
 * transaction (each record atomic on its own inside it) and one Effect; no per-record Effect.
 * Every record's result goes to `results`, in input order, as soon as its batch commits.
 */
export const insertRecords = (
  shard: Shard,
  database: ShardDatabase,
  input: ShardInput,
  results: ResultSink,
  options: InsertOptions = {}
): Effect.Effect<void, StorageError | InputError | ReportError> =>
  Effect.gen(function* () {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_LOAD_SETTINGS.batchSize)
    // The shard's rules, and the text rules of the engine the records go to.
    const validators = shard.validatorsFor(database.textRules)
    const validate = input.textValues ? validators.validateText : validators.validate
    const iterator = iterate(input)
    let batch: Array<SourceItem> = []
    let position = 0
    const flush = Effect.suspend(() => {
      const items = batch
      batch = []
      const first = position + 1
      position += items.length
      return insertBatch(shard, database, items, first, validate, results, options.onConflict ?? DEFAULT_LOAD_SETTINGS.onConflict)
    })
    // Where a batch's commit makes it durable (PostgreSQL), the batch, its results and what
    // `afterBatch` says of them (the report's marker) are one step an interruption (Ctrl-C,
    // SIGTERM, a worker told to stop) waits for: stopped between the commit and the results, the
    // report would say less than the database holds. The last batch too is followed by
    // `afterBatch` there, for the same reason. Elsewhere a batch is in memory until a checkpoint
    // writes it, and stopping in between loses nothing the report claims.
    const commits = database.durability === "commit"
    const committedBatch = (thenAfterBatch: boolean) => {
      const step = flush.pipe(
        Effect.andThen(Effect.sync(() => options.onBatch?.())),
        Effect.andThen(() => (thenAfterBatch && options.afterBatch !== undefined ? options.afterBatch(position) : Effect.void))
      )
      return commits ? Effect.uninterruptible(step) : step
    }
    while (true) {
      const next = yield* Effect.tryPromise({
        try: async () => iterator.next(),
        catch: (cause) =>
          cause instanceof InputError ? cause : new InputError({ origin: input.origin, reason: cause instanceof Error ? cause.message : String(cause), cause })
      })
      if (next.done === true) break
      for (const item of next.value) {
        batch.push(item)
        if (batch.length >= batchSize) {
          yield* committedBatch(true)
          yield* yieldToEventLoop
        }
      }
      options.onRecords?.(position + batch.length)
    }
    if (batch.length > 0) yield* committedBatch(commits)
  })

/**
 * Between batches, a shard lets the other fibers run and Node's event loop turn: signals
 * (Ctrl-C, a terminal's resize), timers (a progress display) and I/O. `Effect.yieldNow` alone
 * lets the other fibers run through microtasks, so with several shards loading the event loop
 * could wait for seconds. One macrotask per batch costs microseconds per 10,000 records.
 */
const yieldToEventLoop = Effect.callback<void>((resume) => {
  const pending = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(pending))
})

const iterate = (input: ShardInput): AsyncIterator<ReadonlyArray<SourceItem>> | Iterator<ReadonlyArray<SourceItem>> =>
  Symbol.asyncIterator in input.source ? input.source[Symbol.asyncIterator]() : input.source[Symbol.iterator]()

const insertBatch = (
  shard: Shard,
  database: ShardDatabase,
  items: ReadonlyArray<SourceItem>,
  firstPosition: number,
  validate: (input: unknown) => Validation,
  results: ResultSink,
  onConflict: ConflictMode
) =>
  Effect.gen(function* () {
    const validations = validateAll(items, validate)
    const rows: Array<Row> = []
    for (const validation of validations) if (Result.isSuccess(validation)) rows.push(validation.success)
    const outcomes = yield* database.insertBatch(shard, rows, onConflict)
    yield* Effect.try({
      try: () => {
        let next = 0
        for (const [index, item] of items.entries()) {
          const validation = validations[index] ?? malformed({ _tag: "Malformed", line: item.line, reason: "missing validation" })
          const position = firstPosition + index
          if (Result.isFailure(validation)) {
            // A rejected record can be anything at all: the report holds it only within bounds.
            const data = item._tag === "Record" ? reportableData(item.value) : (item.text ?? null)
            results.rejected(rejected(position, item.line, data, "invalid", validation.failure))
            continue
          }
          // A valid record passed the shard's schema: flat, of SQL values, within every bound.
          const data = item._tag === "Record" ? item.value : null
          const outcome = outcomes[next++] ?? NO_OUTCOME
          if (outcome._tag === "Inserted") results.inserted(position, item.line, data)
          else if (outcome._tag === "Refused") results.rejected(rejected(position, item.line, data, "failed", [databaseIssue(outcome.refusal)]))
          else {
            const status = outcome._tag === "Replaced" ? "replaced" : "skipped"
            results.conflicted({ ...insertedResult(position, item.line, data), status })
          }
        }
      },
      catch: (cause) =>
        cause instanceof ReportError ? cause : new ReportError({ path: "result files", reason: cause instanceof Error ? cause.message : String(cause), cause })
    })
  })

const malformed = (item: MalformedInput): Validation =>
  Result.fail([{ kind: "validation", field: item.field ?? null, rule: item.rule ?? "malformed", message: `line ${item.line}: ${item.reason}` }])

/**
 * Every item's validation. A validator that throws (a rule's `holds` that does not expect some
 * value, say) rejects that record alone: one record never stops its neighbours. The loop that
 * catches per record runs only once something threw, so the common one stays as tight as it was.
 */
const validateAll = (items: ReadonlyArray<SourceItem>, validate: (input: unknown) => Validation): Array<Validation> => {
  const check = (item: SourceItem) => (item._tag === "Malformed" ? malformed(item) : validate(item.value))
  try {
    return items.map(check)
  } catch {
    // Not dropped: validating again, record by record, throws it again and reports it with its record.
    return items.map((item) => (item._tag === "Malformed" ? malformed(item) : validateOne(validate, item.value)))
  }
}

/** `validate(value)`, or a rejection of this record saying what the validator threw. */
const validateOne = (validate: (input: unknown) => Validation, value: unknown): Validation => {
  try {
    return validate(value)
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return Result.fail([{ kind: "validation", field: null, rule: "validator-error", message: `the record could not be validated: ${reason}` }])
  }
}

/** `value` itself when the report can hold it, else a note saying why it is not shown. */
const reportableData = (value: unknown): unknown => {
  const problem = valueOutOfBounds(value)
  return problem === undefined ? value : `(not shown: ${problem.reason})`
}

export const rejected = (
  position: number,
  line: number,
  data: unknown,
  status: "invalid" | "failed",
  issues: ReadonlyArray<RecordIssue>
): RecordResult => ({ position, line, data, success: false, errors: issues.map((issue) => issue.message), status, issues })

/** A row the database answered nothing for: a backend's bug, reported on the record rather than lost. */
const NO_OUTCOME = RowOutcome.refused({ kind: "other", column: null, constraint: null, message: "no outcome from the database" })

/** Keeps the database's message verbatim (the seed shows it so), with the field and rule the backend found in it. */
export const databaseIssue = (refusal: Refusal): RecordIssue => ({
  kind: "database",
  field: refusal.column,
  rule: refusal.kind === "other" ? null : refusal.kind,
  message: refusal.message
})
