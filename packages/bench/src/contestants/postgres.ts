import { spawnSync } from "node:child_process"
import { describeError } from "../describe-error.ts"
import { runChild } from "../measure/child-process.ts"
import type { Command } from "../measure/command.ts"
import { postgresCreateTableSql, postgresIdentifier } from "../postgres/ddl.ts"
import type { RunDatabases } from "../postgres/run-databases.ts"
import { inputArguments, type ShardInputFile } from "../shard-inputs.ts"
import type { Contestant, ContestantId } from "./contestant.ts"
import type { ShardCsv } from "./sqlite3-shell.ts"

export const POSTGRES_POPULATE_ID = "postgres-populate" satisfies ContestantId
export const POSTGRES_NAIVE_ID = "postgres-naive" satisfies ContestantId
export const POSTGRES_COPY_ID = "postgres-psql-copy" satisfies ContestantId

export const postgresContestantIds: ReadonlyArray<ContestantId> = [POSTGRES_POPULATE_ID, POSTGRES_NAIVE_ID, POSTGRES_COPY_ID]

export const isPostgresContestant = (id: ContestantId): boolean => postgresContestantIds.includes(id)

/** `--database users=URL ...`: the CLI's option (issue 11), and the naive baseline's. */
const databaseArguments = (databases: RunDatabases, dataDir: string): ReadonlyArray<string> =>
  databases.urlsOf(dataDir).flatMap(({ shard, url }) => ["--database", `${shard.name}=${url}`])

/**
 * `populate` into PostgreSQL shards: the SQLite contestant's command (default workers and
 * settings, `--quiet`, a fresh `--data-dir` so nothing lands in the working directory) with a
 * `--database` per shard naming that run's empty database; populate migrates it itself.
 */
export const postgresPopulateContestant = (cliBundle: string, inputs: ReadonlyArray<ShardInputFile>, databases: RunDatabases): Contestant => ({
  id: POSTGRES_POPULATE_ID,
  label: "populate → PostgreSQL",
  destination: databases,
  commands: (dataDir) => [
    {
      file: process.execPath,
      args: [cliBundle, "populate", ...inputArguments(inputs), ...databaseArguments(databases, dataDir), "--data-dir", dataDir, "--quiet"]
    }
  ]
})

/**
 * The naive node-postgres baseline (see pg-naive-baseline.ts). With `limit`, it loads only the
 * first `limit` records of each file, `records` in all, and its records/s are extrapolated.
 */
export const postgresNaiveContestant = (
  script: string,
  inputs: ReadonlyArray<ShardInputFile>,
  databases: RunDatabases,
  prefix: { readonly limit: number; readonly records: number } | null
): Contestant => ({
  id: POSTGRES_NAIVE_ID,
  label:
    prefix === null
      ? "node-postgres naive (INSERT + SAVEPOINT per record)"
      : `node-postgres naive (INSERT + SAVEPOINT per record), first ${prefix.limit.toLocaleString("en-US")} records per shard, records/s extrapolated`,
  destination: databases,
  ...(prefix === null ? {} : { records: prefix.records }),
  commands: (dataDir) => [
    {
      file: process.execPath,
      args: [script, ...databaseArguments(databases, dataDir), ...inputArguments(inputs), ...(prefix === null ? [] : ["--limit", String(prefix.limit)])]
    }
  ]
})

/**
 * The practical limit: psql's `\copy` of the valid rows (the CSV written for the sqlite3 shell),
 * one psql per shard, one after the other, each creating its table (the baselines' DDL) and
 * copying in one transaction (`--single-transaction`); `ON_ERROR_STOP` makes any error exit
 * non-zero, `-X` ignores any ~/.psqlrc.
 */
export const postgresCopyContestant = (csvFiles: ReadonlyArray<ShardCsv>, databases: RunDatabases): Contestant => ({
  id: POSTGRES_COPY_ID,
  label: "psql \\copy (valid rows)",
  destination: databases,
  commands: (dataDir) => {
    const urls = new Map(databases.urlsOf(dataDir).map(({ shard, url }) => [shard.name, url]))
    return csvFiles.map(({ shard, csvPath }): Command => {
      const url = urls.get(shard.name)
      if (url === undefined) throw new Error(`no database for shard ${shard.name}`)
      const columns = shard.columns.map(postgresIdentifier).join(", ")
      return {
        file: "psql",
        args: [
          "-X",
          "-q",
          "-v",
          "ON_ERROR_STOP=1",
          "--single-transaction",
          "-d",
          url,
          "-c",
          postgresCreateTableSql(shard),
          "-c",
          `\\copy ${postgresIdentifier(shard.table)} (${columns}) FROM '${csvPath.replaceAll("'", "''")}' WITH (FORMAT csv)`
        ]
      }
    })
  }
})

/** `psql --version` when psql is on the PATH, or null. */
export const psqlVersion = (): string | null => {
  const probe = spawnSync("psql", ["--version"], { encoding: "utf8" })
  return probe.status === 0 ? probe.stdout.trim() : null
}

/**
 * Whether the built CLI can load PostgreSQL shards: `unsupported` (not measured, which is no
 * problem while the engine is being built) when its `populate --help` has no `--database`, or
 * when a small trial load says the build has no PostgreSQL support; `failed` when the trial
 * fails otherwise (a real problem); null when it loads. The trial (not timed) is the
 * contestant's own command on `trialInputs`, into databases made and dropped for it.
 */
export type PopulateTrial = { readonly kind: "unsupported" | "failed"; readonly reason: string } | null

export const tryPostgresPopulate = async (cliBundle: string, trial: Contestant, trialDataDir: string): Promise<PopulateTrial> => {
  const help = await runChild({ file: process.execPath, args: [cliBundle, "populate", "--help"] })
  if (help.exitCode !== 0) return { kind: "failed", reason: `\`populate --help\` exited with code ${help.exitCode}\n${help.stderr.trim()}` }
  if (!/--database(?![\w-])/.test(help.stdout)) {
    return { kind: "unsupported", reason: "the built CLI's `populate` has no --database option yet (issue 11 adds it); once it has, `pnpm bench --postgres URL` measures it unchanged" }
  }
  const { destination } = trial
  if (destination === undefined) throw new Error(`${trial.label} has no PostgreSQL databases`)
  try {
    await destination.prepare(trialDataDir)
    for (const command of trial.commands(trialDataDir)) {
      const result = await runChild(command)
      if (result.exitCode === 0) continue
      const output = [result.stderr.trim(), result.stdout.trim()].filter((text) => text.length > 0).join("\n")
      // The CLI of issue 11 says so in these words when it is built without its PostgreSQL engine.
      if (/not in this build/i.test(output)) return { kind: "unsupported", reason: output }
      return { kind: "failed", reason: `a trial load of a few records exited with code ${result.exitCode}; its output ends with:\n${output}` }
    }
    return await destination.inspect(trialDataDir).then(
      () => null,
      (error: unknown): PopulateTrial => ({ kind: "failed", reason: `after a trial load of a few records: ${describeError(error)}` })
    )
  } finally {
    await destination.release(trialDataDir)
  }
}
