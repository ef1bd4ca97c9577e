// `pnpm crash`: the full crash harness (harness.ts), not part of `pnpm test`. Node runs this
// file and what it imports as they are (type stripping; the workspace packages through their
// `source` export condition): no bundle to build, and the half second more it takes to start
// than a bundle is nothing beside a run of minutes. The CLI it kills is the bundle, as users run
// it: a copy of apps/cli/dist made at the start (cli-bundle.ts), which the package's `crash`
// script builds first if its sources changed.
//   pnpm crash [--kills K] [--count N] [--checkpoint-records C] [--batch-size B] [--seed S] [--dir DIR] [--postgres URL]
// --postgres URL puts the shards in PostgreSQL databases made on that server for each load
// (postgres-target.ts); URL names a database to connect to (e.g. `postgres`) as a role with CREATEDB.
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { runCrashTrials, summaryLine } from "./harness.ts"
import { postgresHome } from "./postgres-target.ts"

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "200" },
    count: { type: "string", default: "20000" },
    "checkpoint-records": { type: "string", default: "2000" },
    "batch-size": { type: "string", default: "500" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
    dir: { type: "string", default: join(tmpdir(), "distributed-insert-crash") },
    postgres: { type: "string" }
  }
})
const home = values.postgres === undefined ? undefined : postgresHome({ url: values.postgres })

const summary = await runCrashTrials({
  dir: values.dir,
  kills: Number(values.kills),
  count: Number(values.count),
  checkpointRecords: Number(values["checkpoint-records"]),
  batchSize: Number(values["batch-size"]),
  seed: Number(values.seed),
  ...(home === undefined ? {} : { home }),
  onTrial: (trial) => {
    const durable = Object.entries(trial.durableThrough).map(([shard, through]) => `${shard}≤${through}`).join(" ") || "nothing durable"
    const problems = [...trial.placeProblems, ...trial.corruptFiles, ...trial.rerunProblems, ...(trial.losses > 0 ? [`${trial.losses} lost`] : []), ...(trial.strangers > 0 ? [`${trial.strangers} strangers`] : [])]
    const phase = [
      ...(trial.journalLeft ? ["journal left"] : []),
      ...(trial.snapshotTempLeft ? ["mid-snapshot"] : []),
      ...(trial.replayKilledAfterMs === null ? [] : [`replay killed at ${trial.replayKilledAfterMs} ms`]),
      ...trial.notes
    ]
    // Where the shards were only when not files, whose lines stay as they were.
    const where = home === undefined ? "" : ` ${trial.layout},`
    console.log(
      `#${trial.trial}${where} workers ${trial.workers}, ${trial.killed ? `killed at ${trial.killedAfterMs} ms` : "finished before the kill"}${phase.length > 0 ? ` (${phase.join(", ")})` : ""}: ${durable}${problems.length > 0 ? ` PROBLEMS: ${problems.join("; ")}` : ", ok"}`
    )
  }
})
console.log(`seed ${values.seed}, ${values.count} records per shard (users, orders), checkpoint every ${values["checkpoint-records"]}, batches of ${values["batch-size"]}`)
if (home !== undefined) console.log(`shards: ${home.description}`)
console.log(summaryLine(summary))
process.exitCode = summary.losses + summary.strangers + summary.corruptFiles + summary.failedReruns + summary.failedPlaceChecks === 0 ? 0 : 1
