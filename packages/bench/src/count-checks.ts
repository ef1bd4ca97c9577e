import type { Shard } from "@distributed-insert/shard"
import { Result, Schema } from "effect"
import { BaselineCounts, type ShardCounts } from "./baseline-counts.ts"
import { BASELINE_ID, countingContestantIds } from "./contestants/better-sqlite3.ts"
import type { ContestantId } from "./contestants/contestant.ts"
import type { ContestantOutcome } from "./run-contestants.ts"

/** A shard's input, counted and validated before timing. */
export interface ShardCensus {
  readonly shard: Shard
  readonly records: number
  /** Records `shard.validate` accepts. */
  readonly valid: number
}

export interface CountCheck {
  readonly description: string
  readonly ok: boolean
}

/**
 * A baseline script's own counts (inserted, invalid, failed per shard), from what its first
 * run printed; or why there are none. `id` is one of `countingContestantIds`.
 */
export const baselineCountsOf = (
  outcomes: ReadonlyArray<ContestantOutcome>,
  id: ContestantId = BASELINE_ID
): Result.Result<ReadonlyMap<string, ShardCounts>, string> => {
  const first = outcomes.find((outcome) => outcome.contestant.id === id)?.samples[0]
  if (first === undefined) return Result.fail("it has no successful run")
  return Schema.decodeUnknownResult(Schema.fromJsonString(BaselineCounts))(first.stdout.trim()).pipe(
    Result.map((counts) => new Map(counts.shards.map((shard) => [shard.shard, shard]))),
    Result.mapError((error) => `its output is not the expected counts: ${error.message}`)
  )
}

/**
 * Every contestant must have done the same work: each baseline script accounts for every record
 * and rejects exactly what `shard.validate` rejects, and inserts what the baseline inserted;
 * every contestant's tables hold as many rows as the baseline inserted; and each contestant
 * writes the same rows in every run.
 */
export const checkCounts = (census: ReadonlyArray<ShardCensus>, outcomes: ReadonlyArray<ContestantOutcome>): ReadonlyArray<CountCheck> => {
  const checks: Array<CountCheck> = []
  const check = (description: string, actual: number | undefined, expected: number) =>
    checks.push({ description: `${description}: ${actual ?? "missing"} (expected ${expected})`, ok: actual === expected })

  for (const outcome of outcomes) {
    const [first, ...others] = outcome.samples
    if (first === undefined || others.length === 0) continue
    const same = others.every((sample) => census.every(({ shard }) => sample.rowsByShard.get(shard.name) === first.rowsByShard.get(shard.name)))
    checks.push({ description: `${outcome.contestant.label}: the same row counts in every run`, ok: same })
  }

  const readBaseline = baselineCountsOf(outcomes)
  if (Result.isFailure(readBaseline)) {
    checks.push({ description: `better-sqlite3 baseline: no counts to compare with, ${readBaseline.failure}`, ok: false })
    return checks
  }
  const baseline = readBaseline.success
  const scripts = outcomes.filter(({ contestant }) => countingContestantIds.includes(contestant.id))
  for (const { contestant } of scripts) {
    const readCounts = baselineCountsOf(outcomes, contestant.id)
    if (Result.isFailure(readCounts)) {
      checks.push({ description: `${contestant.label}: no counts, ${readCounts.failure}`, ok: false })
      continue
    }
    for (const { shard, records, valid } of census) {
      const counts = readCounts.success.get(shard.name)
      if (counts === undefined) {
        checks.push({ description: `${contestant.label} ${shard.name}: no counts`, ok: false })
        continue
      }
      check(`${contestant.label} ${shard.name}: inserted + invalid + failed = records`, counts.inserted + counts.invalid + counts.failed, records)
      check(`${contestant.label} ${shard.name}: invalid = records rejected by shard.validate`, counts.invalid, records - valid)
      if (contestant.id !== BASELINE_ID) {
        check(`${contestant.label} ${shard.name}: inserted = better-sqlite3 baseline inserted`, counts.inserted, baseline.get(shard.name)?.inserted ?? Number.NaN)
      }
    }
  }
  for (const { shard } of census) {
    const inserted = baseline.get(shard.name)?.inserted
    if (inserted === undefined) continue
    for (const outcome of outcomes) {
      const rows = outcome.samples[0]?.rowsByShard.get(shard.name)
      if (outcome.samples.length > 0) check(`${outcome.contestant.label} ${shard.name}: rows = better-sqlite3 baseline inserted`, rows, inserted)
    }
  }
  return checks
}
