import type { Atomicity } from "../atomicity.ts"
import { inputArguments, type ShardInputFile } from "../shard-inputs.ts"
import type { Contestant, ContestantId } from "./contestant.ts"
import { POSTGRES_NAIVE_ID } from "./postgres.ts"

/** The baseline, which the targets are computed against. */
export const BASELINE_ID = "better-sqlite3" satisfies ContestantId

/** The same script with populate's statement atomicity: informational, no target rests on it. */
export const STATEMENT_ATOMICITY_ID = "better-sqlite3-statement" satisfies ContestantId

/**
 * The contestants that run a baseline script, which prints its counts (see baseline-counts.ts):
 * the counts table shows them. The naive PostgreSQL script's are checked by postgres/counts.ts.
 */
export const countingContestantIds: ReadonlyArray<ContestantId> = [BASELINE_ID, STATEMENT_ATOMICITY_ID, POSTGRES_NAIVE_ID]

/**
 * The better-sqlite3 baseline script (see better-sqlite3-baseline.ts), one process, the shards
 * in turn: with a SAVEPOINT per record (the baseline), and with statement atomicity as
 * `populate` does, so that the cost of the savepoints can be told apart from populate's own.
 */
export const betterSqlite3Contestants = (script: string, inputs: ReadonlyArray<ShardInputFile>): ReadonlyArray<Contestant> => {
  const run = (atomicity: Atomicity) => (dataDir: string) => [
    { file: process.execPath, args: [script, "--out", dataDir, "--atomicity", atomicity, ...inputArguments(inputs)] }
  ]
  return [
    { id: BASELINE_ID, label: "better-sqlite3 12 (baseline)", commands: run("savepoint") },
    { id: STATEMENT_ATOMICITY_ID, label: "better-sqlite3 12, statement atomicity (like populate)", commands: run("statement") }
  ]
}
