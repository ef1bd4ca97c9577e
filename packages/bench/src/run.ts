/**
 * `pnpm bench`: times `populate` end to end against better-sqlite3 and the sqlite3 shell on the
 * same generated data, as whole processes, and writes the report to results/<size>.md.
 * The `bench` script builds the CLI bundle and this package before running this file.
 *
 * It loads the seed's shards (`seedShards`), not every shard the CLI registers: the workload,
 * and so the results and their comparison with earlier ones, stay the same when a shard is
 * added to the CLI, and the baselines validate with the same plugins as `populate`. The CLI is
 * asked for exactly these shards (`generate --shard`, `populate --input`), so another shard
 * registered there is neither generated nor loaded.
 */
import { rmSync } from "node:fs"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { seedShards } from "@distributed-insert/seed-shards"
import { type BenchOptions, parseBenchOptions, usage } from "./bench-options.ts"
import { type LoadedBetterSqlite3, loadBetterSqlite3 } from "./better-sqlite3-module.ts"
import { buildCli } from "./build-cli.ts"
import { betterSqlite3Contestants } from "./contestants/better-sqlite3.ts"
import type { Contestant } from "./contestants/contestant.ts"
import { populateContestants, populateUnavailability } from "./contestants/populate.ts"
import { isPostgresContestant } from "./contestants/postgres.ts"
import { sqlite3ShellContestant, sqlite3ShellVersion } from "./contestants/sqlite3-shell.ts"
import { checkCounts } from "./count-checks.ts"
import { generateCommand, prepareDataSet, shardNames } from "./data-set.ts"
import { countRows } from "./database-rows.ts"
import { describeError } from "./describe-error.ts"
import { machineFacts } from "./machine-facts.ts"
import type { Command } from "./measure/command.ts"
import { chooseProcessMeter } from "./measure/process-meter.ts"
import { type Abbreviation, displayCommand } from "./report/display-command.ts"
import { formatCount } from "./report/format.ts"
import { renderReport } from "./report/render-report.ts"
import { type ContestantOutcome, runContestants } from "./run-contestants.ts"
import { summarize } from "./summary.ts"
import { preparePostgresBench } from "./postgres/bench-postgres.ts"
import { judgeTargets } from "./targets.ts"
import { renderScaling, runScaling } from "./scaling.ts"
import { takeCensus } from "./valid-rows-csv.ts"
import {
  betterSqlite3BaselineScript,
  cliBundle,
  cliPackageDir,
  cliSnapshotDir,
  pgNaiveBaselineScript,
  repositoryRoot,
  resultsDir
} from "./workspace-paths.ts"

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/** The scaling benchmark (scaling.ts), written to results/scaling.md. */
const scaling = async (options: BenchOptions, workDir: string): Promise<number> => {
  const facts = await machineFacts(repositoryRoot)
  const meter = chooseProcessMeter(options.meter, workDir)
  const samples = await runScaling({ cliBundle, workDir, meter, repetitions: options.repetitions, progress })
  const report = [
    "# Benchmark: scaling of one shard",
    "",
    `${facts.date}, ${facts.nproc} CPUs (${facts.cpuModel}), ${(facts.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${facts.os}, Node ${facts.node}, commit ${facts.commit}; load average at start ${facts.loadAverage.map((value) => value.toFixed(2)).join(", ")}. Peak RSS: ${meter.description}.`,
    "",
    renderScaling(samples, options.repetitions)
  ].join("\n")
  process.stdout.write(report)
  await mkdir(resultsDir, { recursive: true })
  await writeFile(join(resultsDir, "scaling.md"), report)
  progress(`\nwritten to ${join(resultsDir, "scaling.md")}`)
  return 0
}

const bench = async (options: BenchOptions, betterSqlite3: LoadedBetterSqlite3, cliBuild: Command, workDir: string): Promise<number> => {
  if (options.scaling === "only") return scaling(options, workDir)
  const facts = await machineFacts(repositoryRoot)
  const meter = chooseProcessMeter(options.meter, workDir)
  const shards = seedShards
  const generate = generateCommand(cliBundle, shards, options.recordsPerShard, join(workDir, "data"))
  progress(
    options.dataDir === null
      ? `generating ${shards.length} × ${formatCount(options.recordsPerShard)} records (${shardNames(shards)}) with the CLI`
      : `using the data in ${options.dataDir}`
  )
  const dataSet = await prepareDataSet(shards, options.dataDir, generate, join(workDir, "data"))

  progress("validating every record and writing the valid rows as CSV for the sqlite3 shell (not timed)")
  const { census, csvFiles } = await takeCensus(dataSet.inputs, join(workDir, "csv"))
  const totalRecords = census.reduce((sum, { records }) => sum + records, 0)

  const problems: Array<string> = []
  const unexpectedSizes = census.filter(({ records }) => records !== options.recordsPerShard)
  if (unexpectedSizes.length > 0) {
    problems.push(
      `--size ${options.size} means ${formatCount(options.recordsPerShard)} records per shard, but the data has ${unexpectedSizes.map(({ shard, records }) => `${formatCount(records)} in ${shard.name}`).join(", ")}`
    )
  }

  // PostgreSQL (issue 11): its contestants run in the same rounds (see postgres/bench-postgres.ts).
  const postgres = await preparePostgresBench({
    choice: options.postgres,
    naiveLimit: options.pgNaiveRecords,
    cliBundle,
    naiveScript: pgNaiveBaselineScript,
    shards,
    inputs: dataSet.inputs,
    csvFiles,
    census,
    workDir,
    progress
  })
  const populateModes = populateContestants(cliBundle, dataSet.inputs)
  const populateUnavailable = await populateUnavailability(cliBundle)
  const shellVersion = sqlite3ShellVersion()
  const runnable: ReadonlyArray<Contestant> = [
    ...(populateUnavailable === null ? populateModes : []),
    ...betterSqlite3Contestants(betterSqlite3BaselineScript, dataSet.inputs),
    ...(shellVersion === null ? [] : [sqlite3ShellContestant(csvFiles)]),
    ...postgres.contestants
  ]
  if (populateUnavailable !== null) progress(`populate is not measured: ${populateUnavailable}`)
  if (shellVersion === null) progress("the sqlite3 shell is not installed: its .import is not measured")

  const measured = await runContestants({
    contestants: runnable,
    repetitions: options.repetitions,
    shards,
    meter,
    runsDir: join(workDir, "runs"),
    countRows: (dataDir) => countRows(betterSqlite3.Database, dataDir, shards),
    progress: (line) => progress(postgres.mask(line))
  })
  const outcomes: ReadonlyArray<ContestantOutcome> = [
    ...(populateUnavailable === null ? [] : populateModes.map((contestant) => ({ contestant, samples: [], failure: populateUnavailable }))),
    ...measured,
    ...postgres.notRun
  ]
  for (const { contestant, failure } of outcomes) if (failure !== null) problems.push(`${contestant.label}: ${failure}`)
  const checks = [
    ...checkCounts(
      census,
      outcomes.filter(({ contestant }) => !isPostgresContestant(contestant.id))
    ),
    ...postgres.checks(outcomes.filter(({ contestant }) => isPostgresContestant(contestant.id)))
  ]
  if (checks.some((check) => !check.ok)) problems.push("the contestants' counts disagree (see Counts)")

  const summaries = outcomes.map((outcome) => summarize(outcome, totalRecords))
  const abbreviations: ReadonlyArray<Abbreviation> = [[process.execPath, "node"], [workDir, "$WORK"], [`${repositoryRoot}/`, ""], ...postgres.abbreviations]
  const shown = (contestant: Contestant) => contestant.commands("$OUT").map((command) => displayCommand(command, abbreviations))
  // The password of --postgres's URL is never written (masked again, should a message hold it).
  const report = postgres.mask(renderReport({
    title: `${options.size}, ${shards.length} × ${formatCount(options.recordsPerShard)} records`,
    facts,
    loadAverageAtEnd: loadavg(),
    sqliteVersions: `better-sqlite3 ${betterSqlite3.version} (SQLite ${betterSqlite3.sqliteVersion}); sqlite3 shell ${shellVersion ?? "not installed (not measured)"}`,
    census,
    repetitions: options.repetitions,
    meter: meter.description,
    summaries,
    verdicts: [...judgeTargets(summaries), ...postgres.verdicts(summaries)],
    checks,
    preparation: [
      `Shards: the seed's, ${shardNames(shards)} (\`@distributed-insert/seed-shards\`); any other shard the CLI registers is neither generated nor loaded, so that results stay comparable`,
      `The \`bench\` script builds this package (\`tsup\` in packages/bench) and runs \`${["node packages/bench/dist/run.js", ...process.argv.slice(2).filter((argument) => argument !== "--")].join(" ")}\`, which first builds the CLI with its own config into a directory of its own, so that nobody's rebuild of apps/cli/dist during the run can touch what is timed: \`${displayCommand(cliBuild, abbreviations)}\` (in apps/cli)`,
      dataSet.generatedBy === null
        ? `Data: given with \`--data ${options.dataDir ?? ""}\``
        : `Data: \`${displayCommand(dataSet.generatedBy, abbreviations)}\` (\`$WORK\` is a fresh temporary directory)`,
      "CSV files for the sqlite3 shell: only the valid rows (`shard.validate` on every record), written by the benchmark before any timing to `$WORK/csv/<shard>.csv`",
      `Every timed process is started through the meter: ${meter.description}`
    ],
    timed: runnable.map((contestant) => ({ label: contestant.label, commands: shown(contestant) })),
    sections: [{ title: "PostgreSQL", paragraphs: postgres.notes(summaries, shown) }],
    problems
  }))
  process.stdout.write(report)

  if (problems.length > 0) {
    progress(`\nresults file not written: the run is incomplete (${problems.length} problem(s), listed above)`)
    return 1
  }
  const resultsFile = join(resultsDir, `${options.size}.md`)
  await mkdir(resultsDir, { recursive: true })
  await writeFile(resultsFile, report)
  progress(`\nwritten to ${resultsFile}`)
  return options.scaling === "on" ? scaling(options, workDir) : 0
}

const main = async (): Promise<number> => {
  const options = parseBenchOptions(process.argv.slice(2))
  if (options.help) {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const betterSqlite3 = await loadBetterSqlite3()
  progress(`building the CLI into ${cliSnapshotDir}`)
  const cliBuild = await buildCli(cliPackageDir, cliSnapshotDir)
  const workDir = await mkdtemp(join(tmpdir(), "distributed-insert-bench-"))
  // Ctrl-C also ends the children (same process group); the temporary data (about 1 GB at
  // 1M records per shard) must not outlive the run.
  process.once("SIGINT", () => {
    rmSync(workDir, { recursive: true, force: true })
    process.exit(130)
  })
  try {
    return await bench(options, betterSqlite3, cliBuild, workDir)
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${describeError(error)}\n`)
    process.exitCode = 1
  }
)
