import { median } from "./median.ts"
import type { ContestantOutcome } from "./run-contestants.ts"

/** A contestant's medians over its runs. */
export interface Medians {
  readonly wallSeconds: number
  /** All input records (valid or not) of the three files (or of the prefix it loads) / median wall time. */
  readonly recordsPerSecond: number
  readonly peakRssBytes: number
  readonly databaseBytes: number
}

export interface ContestantSummary extends ContestantOutcome {
  /** Null when it has no successful run. */
  readonly medians: Medians | null
}

export const summarize = (outcome: ContestantOutcome, totalRecords: number): ContestantSummary => {
  if (outcome.samples.length === 0) return { ...outcome, medians: null }
  const wallSeconds = median(outcome.samples.map((sample) => sample.wallSeconds))
  return {
    ...outcome,
    medians: {
      wallSeconds,
      // A contestant that loads a prefix of the data set is timed on its own records.
      recordsPerSecond: (outcome.contestant.records ?? totalRecords) / wallSeconds,
      peakRssBytes: median(outcome.samples.map((sample) => sample.peakRssBytes)),
      databaseBytes: median(outcome.samples.map((sample) => sample.databaseBytes))
    }
  }
}
