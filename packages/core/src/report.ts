import type { StorageOperation } from "./errors.ts"
import type { RecordIssue } from "./record-issue.ts"

/** `inserted`: it landed. `invalid`: it broke a rule or type. `failed`: the database refused it. */
export type RecordStatus = "inserted" | "invalid" | "failed"

/**
 * One input record's fate. `data`, `success` and `errors` are the seed's shape exactly
 * (`errors` is `null` on success); `status` and `issues` add the machine-readable detail.
 */
export interface RecordResult {
  /** 1-based position of the record in its input. */
  readonly position: number
  readonly data: unknown
  readonly success: boolean
  readonly errors: ReadonlyArray<string> | null
  readonly status: RecordStatus
  readonly issues: ReadonlyArray<RecordIssue>
}

export interface Counts {
  readonly processed: number
  readonly inserted: number
  readonly invalid: number
  readonly failed: number
}

export interface ShardReport {
  readonly shard: string
  readonly model: string
  /** The database the router chose for writes (the shard itself, with the default router). */
  readonly database: string | null
  readonly location: string | null
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly migrationsApplied: ReadonlyArray<{ readonly model: string; readonly version: number; readonly description: string }>
  readonly counts: Counts
  readonly records: ReadonlyArray<RecordResult>
  /** Set when the shard could not be opened, migrated or written; its records did not land. */
  readonly error: { readonly operation: StorageOperation | "route"; readonly message: string } | null
}

export interface RunSummary extends Counts {
  /** `inserted / processed`, 0 when nothing was processed. */
  readonly successRate: number
  readonly shards: number
  readonly failedShards: number
}

export interface RunReport {
  readonly startedAt: string
  readonly finishedAt: string
  readonly shards: ReadonlyArray<ShardReport>
  readonly summary: RunSummary
}

export const countRecords = (records: ReadonlyArray<RecordResult>): Counts => {
  let inserted = 0
  let invalid = 0
  let failed = 0
  for (const record of records) {
    if (record.status === "inserted") inserted++
    else if (record.status === "invalid") invalid++
    else failed++
  }
  return { processed: records.length, inserted, invalid, failed }
}

export const summarize = (shards: ReadonlyArray<ShardReport>): RunSummary => {
  const total = (key: keyof Counts) => shards.reduce((sum, shard) => sum + shard.counts[key], 0)
  const processed = total("processed")
  const inserted = total("inserted")
  return {
    processed,
    inserted,
    invalid: total("invalid"),
    failed: total("failed"),
    successRate: processed === 0 ? 0 : inserted / processed,
    shards: shards.length,
    failedShards: shards.filter((shard) => shard.error !== null).length
  }
}
