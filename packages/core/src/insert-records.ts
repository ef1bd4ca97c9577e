import { Effect, Either } from "effect"
import type { StorageError } from "./errors.ts"
import type { RecordIssue } from "./record-issue.ts"
import type { RecordResult } from "./report.ts"
import type { Shard } from "./shard.ts"
import type { ShardDatabase } from "./storage.ts"
import type { Row } from "./validation.ts"

export interface InsertOptions {
  /**
   * Records validated and inserted per transaction. Shards yield to each other between
   * batches, so a smaller batch interleaves more and a larger one runs faster.
   */
  readonly batchSize?: number
}

export const DEFAULT_BATCH_SIZE = 10_000

/**
 * Validates and inserts `records` into `database`, appending one result per record to
 * `results` as each batch completes, so that a caller still knows what happened to the
 * batches before a storage failure. Per batch: one synchronous validation loop, one
 * transaction, one Effect; no per-record Effect.
 */
export const insertRecords = (
  shard: Shard,
  database: ShardDatabase,
  records: Iterable<unknown>,
  results: Array<RecordResult>,
  options: InsertOptions = {}
): Effect.Effect<void, StorageError> =>
  Effect.gen(function* () {
    const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
    let batch: Array<unknown> = []
    for (const record of records) {
      batch.push(record)
      if (batch.length === batchSize) {
        yield* insertBatch(shard, database, batch, results)
        batch = []
        yield* Effect.yieldNow()
      }
    }
    if (batch.length > 0) yield* insertBatch(shard, database, batch, results)
  })

const insertBatch = (shard: Shard, database: ShardDatabase, batch: ReadonlyArray<unknown>, results: Array<RecordResult>) =>
  Effect.gen(function* () {
    const validations = batch.map(shard.validate)
    const rows: Array<Row> = []
    for (const validation of validations) if (Either.isRight(validation)) rows.push(validation.right)
    const outcomes = yield* database.insertBatch(shard, rows)
    let next = 0
    validations.forEach((validation, index) => {
      const data = batch[index]
      const position = results.length + 1
      if (Either.isLeft(validation)) {
        results.push(rejected(position, data, "invalid", validation.left))
        return
      }
      const refusal = outcomes[next++]
      results.push(
        refusal === undefined
          ? { position, data, success: true, errors: null, status: "inserted", issues: [] }
          : rejected(position, data, "failed", [databaseIssue(refusal)])
      )
    })
  })

export const rejected = (
  position: number,
  data: unknown,
  status: "invalid" | "failed",
  issues: ReadonlyArray<RecordIssue>
): RecordResult => ({ position, data, success: false, errors: issues.map((issue) => issue.message), status, issues })

const CONSTRAINT = /^(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed: (?:[^.\s]+\.)?(\S+)/

/** Keeps the database's message verbatim (the seed shows it so) and names the field when SQLite does. */
export const databaseIssue = (message: string): RecordIssue => {
  const match = CONSTRAINT.exec(message)
  return {
    kind: "database",
    field: match?.[1] === "CHECK" || match?.[1] === "FOREIGN KEY" ? null : (match?.[2] ?? null),
    rule: match === null ? null : (match[1] ?? "").toLowerCase().replace(" ", "-"),
    message
  }
}
