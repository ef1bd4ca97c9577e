import { rejected } from "./insert-records.ts"
import type { RecordResult, ShardReport } from "./report.ts"

type Summary = Pick<ShardReport, "counts" | "rejectedByRule" | "firstRejected" | "records">

/** Records that landed in memory after the last durable write, by how they landed. */
export interface Pending {
  readonly inserted: number
  readonly replaced: number
}

/**
 * When a shard could not be written, what it inserted in memory after its last checkpoint
 * (records past `durableThrough`) did not land: those become `failed` (`not-persisted`). What
 * the checkpoints wrote stays counted as it landed.
 */
export const notPersisted = (summary: Summary, reason: string, durableThrough: number, pending: Pending): Summary => {
  // Replaced rows did not land either: the stored ones stay as they were on disk.
  const lost = pending.inserted + pending.replaced
  return {
    counts: {
      ...summary.counts,
      inserted: summary.counts.inserted - pending.inserted,
      replaced: summary.counts.replaced - pending.replaced,
      failed: summary.counts.failed + lost
    },
    rejectedByRule: lost === 0 ? summary.rejectedByRule : { ...summary.rejectedByRule, "not-persisted": lost },
    firstRejected: summary.firstRejected,
    records: summary.records?.map((result) => (result.position > durableThrough ? notPersistedResult(result, reason) : result)) ?? null
  }
}

/** What an inserted record becomes when its shard could not be written after all. */
export const notPersistedResult = (result: RecordResult, reason: string): RecordResult =>
  result.status !== "inserted" && result.status !== "replaced"
    ? result
    : rejected(result.position, result.line, result.data, "failed", [
        { kind: "database", field: null, rule: "not-persisted", message: `not persisted: ${reason}` }
      ])
