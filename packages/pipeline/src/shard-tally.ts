import { type DurableResults, openDurableResults } from "./durable-results.ts"
import { insertedResult, type ResultSink } from "./insert-records.ts"
import { type LineLog, openLineLog } from "./ndjson-log.ts"
import type { Pending } from "./not-persisted.ts"
import type { Counts, RecordResult } from "./report.ts"
import type { ResultFiles } from "./result-files.ts"

export interface TallyOptions {
  /** Written into every logged line, so merged logs still say which shard a record went to. */
  readonly shard: string
  /** Keep every result in memory while the shard has at most this many records. */
  readonly keepRecords: number
  /** How many rejected records to keep for a quick look. */
  readonly keepRejected: number
  readonly files: ResultFiles
}

export interface Tally extends ResultSink {
  readonly counts: () => Counts
  readonly rejectedByRule: () => Readonly<Record<string, number>>
  readonly firstRejected: () => ReadonlyArray<RecordResult>
  readonly records: () => ReadonlyArray<RecordResult> | null
  /** Landed records not yet made durable. */
  readonly pending: () => Pending
  /** Records 1..`through` are durable; their results go to the report. */
  readonly durable: (through: number) => void
  /** The pending records did not land; the report says so. */
  readonly abandon: (reason: string) => void
  readonly close: () => void
}

/**
 * Summarises a shard's results as they stream by, in memory bounded by the options whatever
 * the input size; the full detail goes to the result files.
 */
export const makeTally = (options: TallyOptions): Tally => {
  let processed = 0
  let inserted = 0
  let replaced = 0
  let skipped = 0
  let invalid = 0
  let failed = 0
  const byRule: Record<string, number> = {}
  const firstRejected: Array<RecordResult> = []
  let kept: Array<RecordResult> | null = []
  let pendingInserted = 0
  let pendingReplaced = 0
  const logs: { all: DurableResults | null; rejected: LineLog | null } = {
    all: options.files.report === undefined ? null : openDurableResults(options.shard, options.files.report),
    rejected: null
  }
  try {
    logs.rejected = options.files.rejected === undefined ? null : openLineLog(options.files.rejected)
  } catch (error) {
    logs.all?.close()
    throw error
  }
  const prefix = `{"shard":${JSON.stringify(options.shard)},`
  // One stringify per record; the shard is spliced in front rather than spread into a copy.
  const logLine = (result: RecordResult) => prefix + JSON.stringify(result).slice(1)
  return {
    inserted: (position, line, data) => {
      processed++
      inserted++
      pendingInserted++
      if (kept !== null) {
        if (kept.length < options.keepRecords) kept.push(insertedResult(position, line, data))
        else kept = null
      }
      logs.all?.append(logLine(insertedResult(position, line, data)))
    },
    conflicted: (result) => {
      processed++
      if (result.status === "replaced") {
        replaced++
        pendingReplaced++
      } else skipped++
      if (kept !== null) {
        if (kept.length < options.keepRecords) kept.push(result)
        else kept = null
      }
      logs.all?.append(logLine(result))
    },
    rejected: (result) => {
      processed++
      if (kept !== null) {
        if (kept.length < options.keepRecords) kept.push(result)
        else kept = null
      }
      if (result.status === "invalid") invalid++
      else failed++
      for (const rule of new Set(result.issues.map((issue) => issue.rule ?? issue.kind))) byRule[rule] = (byRule[rule] ?? 0) + 1
      if (firstRejected.length < options.keepRejected) firstRejected.push(result)
      logs.rejected?.append(logLine(result))
      logs.all?.append(logLine(result))
    },
    counts: () => ({ processed, inserted, replaced, skipped, invalid, failed }),
    rejectedByRule: () => ({ ...byRule }),
    firstRejected: () => firstRejected,
    records: () => kept,
    pending: () => ({ inserted: pendingInserted, replaced: pendingReplaced }),
    durable: (through) => {
      pendingInserted = 0
      pendingReplaced = 0
      logs.all?.durable(through)
    },
    abandon: (reason) => logs.all?.abandon(reason),
    close: () => {
      try {
        logs.all?.close()
      } finally {
        logs.rejected?.close()
      }
    }
  }
}
