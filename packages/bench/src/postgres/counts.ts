import { Result, Schema } from "effect"
import { BaselineCounts } from "../baseline-counts.ts"
import type { ContestantId } from "../contestants/contestant.ts"
import { POSTGRES_NAIVE_ID } from "../contestants/postgres.ts"
import type { CountCheck, ShardCensus } from "../count-checks.ts"
import { readLineChunks } from "../line-chunks.ts"
import type { ContestantOutcome } from "../run-contestants.ts"
import type { ShardInputFile } from "../shard-inputs.ts"
import { parseOrUndefined } from "../valid-rows-csv.ts"

/** The census of the first `limit` records of each input: what a naive run limited to them must insert. */
export const takePrefixCensus = async (inputs: ReadonlyArray<ShardInputFile>, limit: number): Promise<ReadonlyArray<ShardCensus>> => {
  const census: Array<ShardCensus> = []
  for (const { shard, path } of inputs) {
    let records = 0
    let valid = 0
    reading: for await (const lines of readLineChunks(path)) {
      for (const line of lines) {
        if (records === limit) break reading
        records++
        if (Result.isSuccess(shard.validate(parseOrUndefined(line)))) valid++
      }
    }
    census.push({ shard, records, valid })
  }
  return census
}

/**
 * The PostgreSQL contestants' counts, against the census taken before any timing (the valid
 * records of each shard; of the prefix for a naive run limited to one): every run leaves exactly
 * the valid rows in each shard's table, counted in the database after the run; each contestant
 * the same rows in every run; the naive script accounts for every record it read and finds
 * invalid exactly what `shard.validate` rejects.
 */
export const checkPostgresCounts = (
  censusOf: (id: ContestantId) => ReadonlyArray<ShardCensus>,
  outcomes: ReadonlyArray<ContestantOutcome>
): ReadonlyArray<CountCheck> => {
  const checks: Array<CountCheck> = []
  const check = (description: string, actual: number | undefined, expected: number) =>
    checks.push({ description: `${description}: ${actual ?? "missing"} (expected ${expected})`, ok: actual === expected })
  for (const { contestant, samples } of outcomes) {
    const census = censusOf(contestant.id)
    for (const [run, sample] of samples.entries()) {
      for (const { shard, valid } of census) check(`${contestant.label} run ${run + 1} ${shard.name}: rows in PostgreSQL = valid records`, sample.rowsByShard.get(shard.name), valid)
    }
    const [first] = samples
    if (contestant.id !== POSTGRES_NAIVE_ID || first === undefined) continue
    const printed = Schema.decodeUnknownResult(Schema.fromJsonString(BaselineCounts))(first.stdout.trim())
    if (Result.isFailure(printed)) {
      checks.push({ description: `${contestant.label}: its output is not the expected counts: ${printed.failure.message}`, ok: false })
      continue
    }
    for (const { shard, records, valid } of census) {
      const counts = printed.success.shards.find((shardCounts) => shardCounts.shard === shard.name)
      if (counts === undefined) {
        checks.push({ description: `${contestant.label} ${shard.name}: no counts`, ok: false })
        continue
      }
      check(`${contestant.label} ${shard.name}: inserted + invalid + failed = records`, counts.inserted + counts.invalid + counts.failed, records)
      check(`${contestant.label} ${shard.name}: invalid = records rejected by shard.validate`, counts.invalid, records - valid)
    }
  }
  return checks
}
