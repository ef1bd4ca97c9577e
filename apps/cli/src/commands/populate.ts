import { resolve } from "node:path"
import { INPUT_FORMATS } from "@distributed-insert/input"
import { DEFAULT_LOAD_SETTINGS, populate, resultFilesIn, type ShardProgress, selectShards } from "@distributed-insert/pipeline"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import { databaseOptions, databaseOptionsDetail, databaseOptionsHelp } from "../config/database-options.ts"
import { DatabaseSettings } from "../config/database-settings.ts"
import {
  invocationDir,
  json,
  jsonHelp,
  shardSelection,
  shardSelectionHelp,
  toggle,
  waitLock,
  waitLockHelp,
  wholeNumber
} from "../common-options.ts"
import { RejectedRecordsError, ShardFailuresError } from "../errors.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { inputFiles } from "../input-files.ts"
import { leaveInterruptedNote } from "../interrupted-note.ts"
import { shards as plugins } from "../plugins.ts"
import { progressBoard } from "../progress.ts"
import { emptyInputNotes } from "../render/empty-inputs.ts"
import { interruptedShards } from "../render/interrupted-shards.ts"
import { writeJsonReport } from "../render/json-report.ts"
import { renderPopulateReport } from "../render/populate-report.ts"
import { runDir } from "../run-dir.ts"
import { WORKERS_FROM_BYTES, workersWanted } from "../workers-wanted.ts"

const count = (n: number) => n.toLocaleString("en-US")

const inputs = Flag.String("input").pipe(Flag.atLeast(0))
const format = Flag.Literals("format", INPUT_FORMATS).pipe(Flag.optional)
const reset = toggle("reset")
const defaults = DEFAULT_LOAD_SETTINGS
const batchSize = wholeNumber("batch-size", 1).pipe(Flag.withDefault(defaults.batchSize))
const quiet = toggle("quiet")
const reportFile = Flag.String("report").pipe(Flag.optional)
const checkpointRecords = wholeNumber("checkpoint-records", 0).pipe(Flag.withDefault(defaults.checkpointRecords))
const checkpointSeconds = wholeNumber("checkpoint-seconds", 0).pipe(Flag.withDefault(defaults.checkpointSeconds))
const failOnReject = toggle("fail-on-reject")
const onConflict = Flag.Literals("on-conflict", ["fail", "skip", "replace"]).pipe(Flag.withDefault(defaults.onConflict))
const workers = Flag.Literals("workers", ["auto", "on", "off"]).pipe(Flag.withDefault("auto"))

export const populateHelp: CommandHelp = {
  name: "populate",
  summary: "Apply pending migrations, then validate and insert each shard's records, all shards at once",
  details: [
    "Each shard loads its built-in sample data, or the file given with --input. Rejected records are results, not errors: the report says why each was rejected. Progress is drawn on stderr when it is a terminal; Ctrl-C stops the load, keeping what the last checkpoint wrote, and says on stderr what each shard durably holds.",
    databaseOptionsDetail
  ],
  options: [
    { flag: "--input SHARD=PATH", description: "Load SHARD from PATH instead of its sample data (PATH - reads stdin); only the shards named are loaded", repeatable: true },
    { flag: "--format ndjson|json|csv", description: "Format of every --input", default: "by extension; ndjson for stdin" },
    shardSelectionHelp,
    ...databaseOptionsHelp,
    { flag: "--reset", description: "Start every selected shard from an empty database" },
    { flag: "--on-conflict fail|skip|replace", description: "What a record whose key is already stored becomes: failed, skipped, or replacing the stored row", default: defaults.onConflict },
    jsonHelp,
    { flag: "--report FILE", description: "Write every record's result to FILE as NDJSON, as checkpoints make them durable" },
    { flag: "--checkpoint-records N", description: "Write each shard back after every N records; 0: never by count", default: count(defaults.checkpointRecords) },
    { flag: "--checkpoint-seconds T", description: "Write each shard back when T seconds passed since its last write; 0: never by time", default: String(defaults.checkpointSeconds) },
    { flag: "--fail-on-reject", description: "Exit 1 when any record was rejected" },
    { flag: "--quiet", description: "Draw no progress on stderr" },
    { flag: "--workers auto|on|off", description: `Run each shard in a worker thread (stdin and shards sharing a database stay in this one); auto: when the input files add up to ${WORKERS_FROM_BYTES / 1024 / 1024} MB`, default: "auto" },
    { flag: "--batch-size N", description: "Records validated and inserted per transaction", default: count(defaults.batchSize) },
    waitLockHelp
  ],
  examples: [
    "distributed-insert populate",
    "distributed-insert populate --input users=users.csv --input orders=orders.ndjson --report results.ndjson",
    "distributed-insert populate --json | jq .summary"
  ]
}

const primaryKeys = new Map(plugins.map((shard) => [shard.name as string, shard.primaryKey]))

export const populateCommand = Command.make(
  "populate",
  {
    databases: databaseOptions,
    shard: shardSelection,
    json,
    reset,
    batchSize,
    inputs,
    format,
    quiet,
    reportFile,
    checkpointRecords,
    checkpointSeconds,
    failOnReject,
    onConflict,
    workers,
    waitLock
  },
  (options) =>
    Effect.gen(function* () {
      const files = yield* inputFiles(options.inputs, Option.getOrUndefined(options.format), options.shard)
      // Before anything is opened or locked: a temp folder that is missing or full stops the run here.
      const dir = yield* runDir
      const selected = yield* selectShards(files.size > 0 ? [...files.keys()].map((shard) => shard.name) : options.shard)
      const reportPath = Option.getOrUndefined(Option.map(options.reportFile, (path) => resolve(invocationDir(), path)))
      // Every shard appends to the report as its records become durable; populate checks it
      // and starts it empty once it holds the shards' locks, before any shard runs.
      const resultFiles = resultFilesIn(dir, reportPath)
      const wanted = yield* workersWanted(options.workers, [...files.values()])
      // The configuration file is read by this run too: a report written over it would leave
      // the next run without its databases' locations.
      const { configFile } = yield* DatabaseSettings
      const reportInputs = [...[...files.values()].map((file) => file.path), ...(configFile === undefined ? [] : [configFile])]

      // Each shard's last progress: what an interrupted run says of it (see interrupted-shards.ts).
      const latest = new Map<string, ShardProgress>()
      // The progress display has its own scope: it is erased before the report is printed.
      const report = yield* Effect.scoped(
        Effect.gen(function* () {
          // A file's progress is in bytes read; the sample data's is in records.
          const board = yield* progressBoard(
            selected.map((shard) => ({ shard: shard.name, unit: files.has(shard) ? "bytes" : "records" })),
            !options.quiet && process.stderr.isTTY === true
          )
          return yield* populate({
            shards: selected.map((shard) => shard.name),
            inputs: (shard) => files.get(shard),
            reset: options.reset,
            settings: {
              batchSize: options.batchSize,
              onConflict: options.onConflict,
              checkpointRecords: options.checkpointRecords,
              checkpointSeconds: options.checkpointSeconds
            },
            files: resultFiles,
            ...(reportPath === undefined ? {} : { report: { path: reportPath, inputs: reportInputs } }),
            onProgress: (progress) => {
              latest.set(progress.shard, progress)
              board.update(progress)
            },
            workers: { script: new URL("./shard-worker.js", import.meta.url), wanted }
          })
        })
      ).pipe(Effect.onInterrupt(() => leaveInterruptedNote(interruptedShards(selected.map((shard) => shard.name), latest))))

      if (options.json) {
        yield* writeJsonReport(report, (shard) => resultFiles({ name: shard }).rejected)
      } else {
        yield* Console.log(renderPopulateReport(report, primaryKeys))
      }
      for (const note of emptyInputNotes(report)) yield* Console.error(note)

      const failures = report.shards.flatMap((shard) => (shard.error === null ? [] : [{ shard: shard.shard, message: shard.error.message }]))
      if (failures.length > 0) return yield* new ShardFailuresError({ failures })
      const rejected = report.summary.invalid + report.summary.failed
      if (options.failOnReject && rejected > 0) return yield* new RejectedRecordsError({ rejected })
    }).pipe(Effect.scoped, Effect.provide(appLayer(options.databases, { waitSeconds: options.waitLock })))
).pipe(withHelp(populateHelp))
