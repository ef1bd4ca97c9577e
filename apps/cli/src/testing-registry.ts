import type { Counts, RecordResult, RecordStatus } from "@distributed-insert/pipeline"
import { seedShards } from "@distributed-insert/seed-shards"
import type { Shard } from "@distributed-insert/shard"
import type { ConflictMode } from "@distributed-insert/storage"
import { Result } from "effect"

// What `populate` of the built-in sample data must report, derived from the shards themselves
// (each one's `sample`, `validate`, table and primary key) instead of written out for the three
// seed shards: the CLI's tests expect what the registered shards imply, so that registering
// another shard, or removing one, changes what they expect rather than failing them.
// testing-registry.test.ts holds these derivations to a real load of four shards.

/** How a load of a sample ends for one of its records, in the report's terms. */
export interface ExpectedRecord {
  /** The record as the sample gives it, which the report shows as it was given. */
  readonly data: unknown
  readonly status: RecordStatus
  /** The messages the report gives for it; null when it landed. */
  readonly errors: ReadonlyArray<string> | null
}

/** How a load of one shard's sample ends: each record, and the counts they add up to. */
export interface ExpectedShardLoad {
  readonly shard: string
  readonly model: string
  readonly records: ReadonlyArray<ExpectedRecord>
  readonly counts: Counts
  /** Records that pass the shard's validation: what a load writes, or tries to. */
  readonly valid: number
  /** Rows in the shard's table once the sample is loaded: one per distinct key among its valid records. */
  readonly rows: number
}

export interface SampleLoadOptions {
  /** `empty`: the shard's first load; `loaded`: a load over the rows of that first load, as a second run is. */
  readonly into: "empty" | "loaded"
  /** `populate --on-conflict`, `fail` by default. */
  readonly onConflict?: ConflictMode
}

/**
 * What `populate` reports for a shard loading its sample. Every record is validated as the
 * shard validates it; a valid record whose key is taken (by a row already there, or by an
 * earlier record of the same sample) is refused by SQLite's UNIQUE constraint, replaces the row
 * or is skipped, as `onConflict` says; any other lands.
 */
export const expectedSampleLoad = (shard: Shard, options: SampleLoadOptions = { into: "empty" }): ExpectedShardLoad => {
  const onConflict = options.onConflict ?? "fail"
  // A valid record comes back as its row: one value per column, in column order.
  const keyColumn = shard.columns.indexOf(shard.primaryKey)
  const validKeys = shard.sample.flatMap((record) => {
    const validation = shard.validate(record)
    return Result.isSuccess(validation) ? [validation.success[keyColumn]] : []
  })
  const taken = new Set(options.into === "loaded" ? validKeys : [])
  const records = shard.sample.map((data): ExpectedRecord => {
    const validation = shard.validate(data)
    if (Result.isFailure(validation)) return { data, status: "invalid", errors: validation.failure.map((issue) => issue.message) }
    const key = validation.success[keyColumn]
    if (!taken.has(key)) {
      taken.add(key)
      return { data, status: "inserted", errors: null }
    }
    if (onConflict === "replace") return { data, status: "replaced", errors: null }
    if (onConflict === "skip") return { data, status: "skipped", errors: null }
    return { data, status: "failed", errors: [`UNIQUE constraint failed: ${shard.table}.${shard.primaryKey}`] }
  })
  const counted = (status: RecordStatus) => records.filter((record) => record.status === status).length
  return {
    shard: shard.name,
    model: shard.model,
    records,
    counts: {
      processed: records.length,
      inserted: counted("inserted"),
      replaced: counted("replaced"),
      skipped: counted("skipped"),
      invalid: counted("invalid"),
      failed: counted("failed")
    },
    valid: validKeys.length,
    rows: new Set(validKeys).size
  }
}

/** `expectedSampleLoad` of each shard, in the order given (the registry's is the report's). */
export const expectedSampleLoads = (shards: ReadonlyArray<Shard>, options?: SampleLoadOptions): ReadonlyArray<ExpectedShardLoad> =>
  shards.map((shard) => expectedSampleLoad(shard, options))

/** The counts of a run of several shards: each count summed over them, as the report's summary sums them. */
export const totalCounts = (loads: ReadonlyArray<ExpectedShardLoad>): Counts & { readonly valid: number } =>
  loads.reduce(
    (sum, { counts, valid }) => ({
      processed: sum.processed + counts.processed,
      inserted: sum.inserted + counts.inserted,
      replaced: sum.replaced + counts.replaced,
      skipped: sum.skipped + counts.skipped,
      invalid: sum.invalid + counts.invalid,
      failed: sum.failed + counts.failed,
      valid: sum.valid + valid
    }),
    { processed: 0, inserted: 0, replaced: 0, skipped: 0, invalid: 0, failed: 0, valid: 0 }
  )

/**
 * A line of the human report's totals, in the seed's layout: `totalsLine("Successful
 * insertions", 26, 30, " success rate")` is `Successful insertions:   26 (86.7% success rate)`.
 * Written out here rather than taken from the renderer, so that the layout is checked too.
 */
export const totalsLine = (label: string, part: number, whole: number, afterPercent = ""): string => {
  const percent = whole === 0 ? "0.0%" : `${((part / whole) * 100).toFixed(1)}%`
  return `${`${label}:`.padEnd(25)}${part.toLocaleString("en-US")} (${percent}${afterPercent})`
}

/** What a test compares of a shard's load: its counts and its records, the fields a sample decides. */
export interface LoadOutcome {
  readonly shard: string
  readonly model: string
  readonly counts: Counts
  readonly records: ReadonlyArray<ExpectedRecord>
}

/** The outcomes of the expected loads, to compare with `reportedOutcomes` of a run. */
export const expectedOutcomes = (loads: ReadonlyArray<ExpectedShardLoad>): ReadonlyArray<LoadOutcome> =>
  loads.map(({ shard, model, counts, records }) => ({ shard, model, counts, records }))

/** The outcomes of a run, from its report's shards (`populate --json`'s or the pipeline's), in the report's order. */
export const reportedOutcomes = (
  shards: ReadonlyArray<{ readonly shard: string; readonly model: string; readonly counts: Counts; readonly records: ReadonlyArray<RecordResult> | null }>
): ReadonlyArray<LoadOutcome> =>
  shards.map(({ shard, model, counts, records }) => ({
    shard,
    model,
    counts,
    records: (records ?? []).map(({ data, status, errors }) => ({ data, status, errors }))
  }))

/** The file a shard is stored in, in the data directory, with the default router. */
export const databaseFileOf = (shard: Shard): string => `${shard.name}.db`

/** `populate --shard users --shard products --shard orders`: the seed's run alone, whatever else is registered. */
export const seedShardArgs: ReadonlyArray<string> = seedShards.flatMap((shard) => ["--shard", shard.name])
