import type { RecordIssue } from "@distributed-insert/shard"
import type { StorageOperation } from "@distributed-insert/storage"

/**
 * `inserted`: it landed. `replaced`: it landed over the stored row with its key, and `skipped`:
 * its key was taken and the stored row was kept (`--on-conflict replace|skip`). `invalid`: it
 * broke a rule or type, or was malformed. `failed`: the database refused it.
 */
export type RecordStatus = "inserted" | "replaced" | "skipped" | "invalid" | "failed"

/**
 * One input record's fate. `data`, `success` and `errors` are the seed's shape exactly
 * (`errors` is `null` on success); `status` and `issues` add the machine-readable detail.
 */
export interface RecordResult {
  /** 1-based position of the record among its input's records. */
  readonly position: number
  /** The line its text starts on in the input file (its position for in-memory data). */
  readonly line: number
  readonly data: unknown
  readonly success: boolean
  readonly errors: ReadonlyArray<string> | null
  readonly status: RecordStatus
  readonly issues: ReadonlyArray<RecordIssue>
}

export interface Counts {
  readonly processed: number
  readonly inserted: number
  readonly replaced: number
  readonly skipped: number
  readonly invalid: number
  readonly failed: number
}

/** What stopped a shard: the step, and the message naming the file or input. */
export interface ShardFailure {
  readonly operation: StorageOperation | "route" | "input" | "report" | "worker"
  readonly message: string
}

export interface ShardReport {
  readonly shard: string
  readonly model: string
  /** The database the router chose for writes (the shard itself, with the default router). */
  readonly database: string | null
  readonly location: string | null
  /** Where the records came from: a path, `stdin` or `sample data`. */
  readonly input: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMs: number
  readonly migrationsApplied: ReadonlyArray<{ readonly model: string; readonly version: number; readonly description: string }>
  readonly counts: Counts
  /** Rejected records per rule (`name-required`, `unique`, `malformed`, ...); a record counts once per rule it broke. */
  readonly rejectedByRule: Readonly<Record<string, number>>
  /** The first rejected records, in input order, for a quick look. */
  readonly firstRejected: ReadonlyArray<RecordResult>
  /** Every record, when the shard processed few enough to keep them all (the seed's report); else null. */
  readonly records: ReadonlyArray<RecordResult> | null
  /**
   * The last input position made durable: every record up to it is on disk as reported. It is
   * `counts.processed` when the shard completed; less after a failure, which lost only the
   * records after it.
   */
  readonly durableThrough: number
  /** How many times the shard was written on the way (`--checkpoint-records/-seconds`), the final write not included. */
  readonly checkpoints: number
  /** Set when the shard could not be routed, opened, migrated, read or written; its records after `durableThrough` did not land. */
  readonly error: ShardFailure | null
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

export const summarize = (shards: ReadonlyArray<ShardReport>): RunSummary => {
  const total = (key: keyof Counts) => shards.reduce((sum, shard) => sum + shard.counts[key], 0)
  const processed = total("processed")
  const inserted = total("inserted")
  return {
    processed,
    inserted,
    replaced: total("replaced"),
    skipped: total("skipped"),
    invalid: total("invalid"),
    failed: total("failed"),
    successRate: processed === 0 ? 0 : inserted / processed,
    shards: shards.length,
    failedShards: shards.filter((shard) => shard.error !== null).length
  }
}
