/**
 * The benchmark's PostgreSQL part (issue 11), wired into run.ts: `populate` into PostgreSQL
 * shards, the naive node-postgres baseline and psql's \copy, run in the same rounds as the
 * SQLite contestants on the same data, each run into databases of its own.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { Schema } from "effect"
import type { Contestant, ContestantId } from "../contestants/contestant.ts"
import {
  POSTGRES_NAIVE_ID,
    postgresCopyContestant,
  postgresNaiveContestant,
  postgresPopulateContestant,
  psqlVersion,
  tryPostgresPopulate
} from "../contestants/postgres.ts"
import type { ShardCsv } from "../contestants/sqlite3-shell.ts"
import type { CountCheck, ShardCensus } from "../count-checks.ts"
import { readLineChunks } from "../line-chunks.ts"
import type { Abbreviation } from "../report/display-command.ts"
import { formatCount } from "../report/format.ts"
import type { ContestantOutcome } from "../run-contestants.ts"
import type { ShardInputFile } from "../shard-inputs.ts"
import type { ContestantSummary } from "../summary.ts"
import type { Verdict } from "../targets.ts"
import { checkPostgresCounts, takePrefixCensus } from "./counts.ts"
import { postgresCreateTableSql } from "./ddl.ts"
import { RUN_PLACEHOLDER, runDatabases } from "./run-databases.ts"
import { type PostgresServer, postgresServer, serverVersion } from "./server.ts"
import { judgePostgresTargets, postgresRatios } from "./targets.ts"

/** `--postgres`: a server to measure on, or why there is none. */
export type PostgresChoice = { readonly url: string } | { readonly off: string }

export interface PostgresSetup {
  readonly choice: PostgresChoice
  /** `--pg-naive-records N`: the naive baseline loads only the first N records of each shard. */
  readonly naiveLimit: number | null
  readonly cliBundle: string
  readonly naiveScript: string
  readonly shards: ReadonlyArray<Shard>
  readonly inputs: ReadonlyArray<ShardInputFile>
  readonly csvFiles: ReadonlyArray<ShardCsv>
  readonly census: ReadonlyArray<ShardCensus>
  /** Where the trial load of populate gets its data directory. */
  readonly workDir: string
  readonly progress: (line: string) => void
}

export interface PostgresBench {
  readonly contestants: ReadonlyArray<Contestant>
  /** Contestants that are not run, with no samples: failure null when that is no problem (no PostgreSQL in this CLI yet). */
  readonly notRun: ReadonlyArray<ContestantOutcome>
  /** The password replaced in any text that may hold the server's URL. */
  readonly mask: (text: string) => string
  /** The server's URL shown as `$PG` in the commands. */
  readonly abbreviations: ReadonlyArray<Abbreviation>
  readonly checks: (outcomes: ReadonlyArray<ContestantOutcome>) => ReadonlyArray<CountCheck>
  readonly verdicts: (summaries: ReadonlyArray<ContestantSummary>) => ReadonlyArray<Verdict>
  /** The report's PostgreSQL section. */
  readonly notes: (summaries: ReadonlyArray<ContestantSummary>, shown: (contestant: Contestant) => ReadonlyArray<string>) => ReadonlyArray<string>
}

const PackageJson = Schema.fromJsonString(Schema.Struct({ version: Schema.String }))

const nodePostgresVersion = async (): Promise<string> =>
  Schema.decodeUnknownSync(PackageJson)(await readFile(createRequire(import.meta.url).resolve("pg/package.json"), "utf8")).version

export const preparePostgresBench = async (setup: PostgresSetup): Promise<PostgresBench> => {
  if ("off" in setup.choice) {
    const reason = setup.choice.off
    setup.progress(`PostgreSQL is not measured: ${reason}`)
    return {
      contestants: [],
      notRun: [],
      mask: (text) => text,
      abbreviations: [],
      checks: () => [],
      verdicts: (summaries) => judgePostgresTargets(summaries, false, reason),
      notes: () => [`Not measured: ${reason}.`]
    }
  }
  const server = postgresServer(setup.choice.url)
  const version = await serverVersion(server)
  const databases = runDatabases(server, setup.shards)
  const psql = psqlVersion()
  const nodePostgres = await nodePostgresVersion()

  const prefixCensus = setup.naiveLimit === null ? null : await takePrefixCensus(setup.inputs, setup.naiveLimit)
  const naive = postgresNaiveContestant(
    setup.naiveScript,
    setup.inputs,
    databases,
    setup.naiveLimit === null || prefixCensus === null ? null : { limit: setup.naiveLimit, records: prefixCensus.reduce((sum, { records }) => sum + records, 0) }
  )
  const populate = postgresPopulateContestant(setup.cliBundle, setup.inputs, databases)
  const copy = postgresCopyContestant(setup.csvFiles, databases)

  setup.progress("trying populate → PostgreSQL on a few records (not timed)")
  const trialInputs = await writeTrialInputs(setup.inputs, join(setup.workDir, "postgres-trial-data"))
  const trial = await tryPostgresPopulate(setup.cliBundle, postgresPopulateContestant(setup.cliBundle, trialInputs, databases), join(setup.workDir, "postgres-trial"))
  if (trial !== null) setup.progress(server.mask(`populate → PostgreSQL is not measured: ${trial.reason}`))

  const contestants = [...(trial === null ? [populate] : []), naive, ...(psql === null ? [] : [copy])]
  const notRun: ReadonlyArray<ContestantOutcome> = [
    ...(trial === null ? [] : [{ contestant: populate, samples: [], failure: trial.kind === "failed" ? server.mask(trial.reason) : null }]),
    ...(psql === null ? [{ contestant: copy, samples: [], failure: null }] : [])
  ]
  const censusOf = (id: ContestantId) => (id === POSTGRES_NAIVE_ID && prefixCensus !== null ? prefixCensus : setup.census)
  const populateNotMeasured = trial === null ? null : trial.kind === "unsupported" ? "the CLI has no PostgreSQL support yet" : "it failed, see Problems"

  return {
    contestants,
    notRun,
    mask: server.mask,
    abbreviations: [[server.base, "$PG"]],
    checks: (outcomes) => checkPostgresCounts(censusOf, outcomes),
    verdicts: (summaries) => judgePostgresTargets(summaries, prefixCensus !== null, populateNotMeasured),
    notes: (summaries, shown) =>
      postgresNotes({
        populateCommands: shown(populate),
        server,
        version,
        psql,
        nodePostgres,
        shards: setup.shards,
        naiveLimit: setup.naiveLimit,
        trial,
        summaries
      })
  }
}

const TRIAL_RECORDS = 20

/** The first few records of each input, for populate's trial load into PostgreSQL. */
const writeTrialInputs = async (inputs: ReadonlyArray<ShardInputFile>, dir: string): Promise<ReadonlyArray<ShardInputFile>> => {
  await mkdir(dir, { recursive: true })
  const trialInputs: Array<ShardInputFile> = []
  for (const { shard, path } of inputs) {
    let lines: ReadonlyArray<string> = []
    for await (const chunk of readLineChunks(path)) {
      lines = chunk.slice(0, TRIAL_RECORDS)
      break
    }
    const trialPath = join(dir, `${shard.name}.ndjson`)
    await writeFile(trialPath, lines.map((line) => `${line}\n`).join(""))
    trialInputs.push({ shard, path: trialPath })
  }
  return trialInputs
}

interface NotesInput {
  readonly populateCommands: ReadonlyArray<string>
  readonly server: PostgresServer
  readonly version: string
  readonly psql: string | null
  readonly nodePostgres: string
  readonly shards: ReadonlyArray<Shard>
  readonly naiveLimit: number | null
  readonly trial: { readonly kind: "unsupported" | "failed"; readonly reason: string } | null
  readonly summaries: ReadonlyArray<ContestantSummary>
}

const postgresNotes = (input: NotesInput): ReadonlyArray<string> => {
  const { server } = input
  const shortfalls = postgresRatios(input.summaries, input.naiveLimit !== null).flatMap(({ target, minimum, measured }) =>
    measured === null || measured.ratio >= minimum
      ? []
      : [`**${target}: not met** (${measured.ratio.toFixed(2)}): populate would need ${formatCount(minimum * measured.against)} records/s, ${(minimum / measured.ratio).toFixed(1)}× what it did.`]
  )
  return [
    `Server: \`$PG\` = \`${server.shownBase}\` (given with \`--postgres\`; the password is never written), PostgreSQL ${input.version}, on this machine: its work is in the wall times but not in the peak RSS, which is the client process's alone. ${input.psql ?? "psql is not installed: its \\copy is not measured"}; node-postgres (\`pg\`) ${input.nodePostgres}.`,
    `Databases: every run gets its own, one per shard, \`di_bench_${RUN_PLACEHOLDER}_<shard>\` (\`${RUN_PLACEHOLDER}\` = the benchmark's process id and the run's number), created empty before the run and dropped (\`WITH (FORCE)\`) after it, neither timed. \`populate\` migrates them itself; the naive baseline and psql create the tables with the DDL derived from the shards' Schema (\`tableDefinitionOf\`) as the PostgreSQL engine types it: ${input.shards.map((shard) => `\`${postgresCreateTableSql(shard)}\``).join("; ")}.`,
    "Rows: counted with `SELECT count(*)` in each shard's database after every run (not timed), in whatever schema holds the table, and checked against the census. `databases MB` of a PostgreSQL contestant is `pg_total_relation_size` of its shard tables (heap, TOAST, primary-key index), not comparable with SQLite's file sizes.",
    "node-postgres naive: one connection per shard, the shards one after the other, 10,000 records per transaction, and per valid record `SAVEPOINT`, the INSERT (a named prepared statement) and `RELEASE`, each awaited: three round trips per record. psql \\copy: the valid rows only, already validated (the CSV of the sqlite3 shell), parsed by the server in C, one `COPY` per shard: no validation, no per-record outcome.",
    ...(input.naiveLimit === null
      ? []
      : [
          `**The naive baseline is extrapolated**: it loads only the first ${formatCount(input.naiveLimit)} records of each shard (\`--pg-naive-records\`), and its records/s are those records / its wall time. A row-per-statement loop costs about the same per record throughout, but its fixed costs (the process's start, three connections, three CREATE TABLE) weigh more on a prefix, which understates its rate, and its B-tree inserts grow by log n, which the prefix does not see: the longer the prefix, the closer to a full run. Its row counts are checked against the census of that prefix.`
        ]),
    ...(input.trial === null
      ? []
      : [
          `**populate → PostgreSQL is not measured**: ${server.mask(input.trial.reason).split("\n")[0] ?? ""}${input.trial.kind === "unsupported" ? " (no problem for this run: the other contestants' results stand)" : ""}. Its command, each run with \`$OUT\` a fresh empty directory: \`${input.populateCommands.join(" && ")}\`.`
        ]),
    ...shortfalls
  ]
}
