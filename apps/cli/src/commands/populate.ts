import { stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { failedInput, formatOfPath, INPUT_FORMATS, type InputFormat, openInput, parseInputSpec, type ShardInput, sampleInput } from "@distributed-insert/input"
import { DEFAULT_BATCH_SIZE, DEFAULT_CHECKPOINT_RECORDS, DEFAULT_CHECKPOINT_SECONDS, populate, Router, runShardInWorker, ShardRegistry, type ShardWorkerTask } from "@distributed-insert/pipeline"
import type { Shard } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import {
  dataDir,
  dataDirHelp,
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
import { RejectedRecordsError, ShardFailuresError, UsageError } from "../errors.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { shards as plugins } from "../plugins.ts"
import { progressBoard } from "../progress.ts"
import { emptyInputNotes } from "../render/empty-inputs.ts"
import { writeJsonReport } from "../render/json-report.ts"
import { renderPopulateReport } from "../render/populate-report.ts"
import { runDir } from "../run-dir.ts"

const count = (n: number) => n.toLocaleString("en-US")

const inputs = Flag.String("input").pipe(Flag.atLeast(0))
const format = Flag.Literals("format", INPUT_FORMATS).pipe(Flag.optional)
const reset = toggle("reset")
const batchSize = wholeNumber("batch-size", 1).pipe(Flag.withDefault(DEFAULT_BATCH_SIZE))
const quiet = toggle("quiet")
const reportFile = Flag.String("report").pipe(Flag.optional)
const checkpointRecords = wholeNumber("checkpoint-records", 0).pipe(Flag.withDefault(DEFAULT_CHECKPOINT_RECORDS))
const checkpointSeconds = wholeNumber("checkpoint-seconds", 0).pipe(Flag.withDefault(DEFAULT_CHECKPOINT_SECONDS))
const failOnReject = toggle("fail-on-reject")
const onConflict = Flag.Literals("on-conflict", ["fail", "skip", "replace"]).pipe(Flag.withDefault("fail"))
const workers = Flag.Literals("workers", ["auto", "on", "off"]).pipe(Flag.withDefault("auto"))

export const populateHelp: CommandHelp = {
  name: "populate",
  summary: "Apply pending migrations, then validate and insert each shard's records, all shards at once",
  details: [
    "Each shard loads its built-in sample data, or the file given with --input. Rejected records are results, not errors: the report says why each was rejected. Progress is drawn on stderr when it is a terminal; Ctrl-C stops the load, keeping what the last checkpoint wrote."
  ],
  options: [
    { flag: "--input SHARD=PATH", description: "Load SHARD from PATH instead of its sample data (PATH - reads stdin); only the shards named are loaded", repeatable: true },
    { flag: "--format ndjson|json|csv", description: "Format of every --input", default: "by extension; ndjson for stdin" },
    shardSelectionHelp,
    dataDirHelp,
    { flag: "--reset", description: "Start every selected shard from an empty database" },
    { flag: "--on-conflict fail|skip|replace", description: "What a record whose key is already stored becomes: failed, skipped, or replacing the stored row", default: "fail" },
    jsonHelp,
    { flag: "--report FILE", description: "Write every record's result to FILE as NDJSON, as checkpoints make them durable" },
    { flag: "--checkpoint-records N", description: "Write each shard back after every N records; 0: never by count", default: count(DEFAULT_CHECKPOINT_RECORDS) },
    { flag: "--checkpoint-seconds T", description: "Write each shard back when T seconds passed since its last write; 0: never by time", default: String(DEFAULT_CHECKPOINT_SECONDS) },
    { flag: "--fail-on-reject", description: "Exit 1 when any record was rejected" },
    { flag: "--quiet", description: "Draw no progress on stderr" },
    { flag: "--workers auto|on|off", description: "Run each shard that reads a file in a worker thread; auto: when the inputs add up to 100 MB", default: "auto" },
    { flag: "--batch-size N", description: "Records validated and inserted per transaction", default: count(DEFAULT_BATCH_SIZE) },
    waitLockHelp
  ],
  examples: [
    "distributed-insert populate",
    "distributed-insert populate --input users=users.csv --input orders=orders.ndjson --report results.ndjson",
    "distributed-insert populate --json | jq .summary"
  ]
}

/**
 * Below this much input, worker threads cost about what they save (start-up, a runtime and a
 * heap per thread: 3 × 300k records, 56 MB, ran as fast in fibers) and take more memory; at
 * 3 × 1M records, 190 MB, they were 1.3-1.5× faster. See packages/bench/results.
 */
const WORKERS_FROM_BYTES = 100 * 1024 * 1024

const primaryKeys = new Map(plugins.map((shard) => [shard.name as string, shard.primaryKey]))

interface InputSpec {
  readonly path: string
  readonly format: InputFormat | undefined
}

export const populateCommand = Command.make(
  "populate",
  {
    dataDir,
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
      const registry = yield* ShardRegistry
      const router = yield* Router
      const specs = yield* inputSpecs(options.inputs, Option.getOrUndefined(options.format))
      yield* inputsMatchSelection(specs, options.shard)
      // Before anything is opened or locked: a temp folder that is missing or full stops the run here.
      const dir = yield* runDir
      const selection = specs.size > 0 ? [...specs.keys()].map((shard) => shard.name) : options.shard
      const selected = registry.shards.filter((shard) => selection.length === 0 || selection.includes(shard.name))
      const storage = yield* ShardStorage
      // A storage that cannot be shared with a worker thread keeps its shards in this one.
      const workerStorage =
        (yield* workersWanted(options.workers, selected, specs)) && storage.workerConfig !== undefined ? yield* storage.workerConfig : undefined
      // Two models writing one database must share its connection, so they stay in this thread.
      const databases = yield* Effect.forEach(selected, (shard) => Effect.result(router.dbForWrite(shard.model)))
      const distinct = new Set(databases.map((database) => JSON.stringify(database))).size === databases.length

      // Opened here for the shards loaded in this thread; a worker opens its own. An input that
      // cannot be opened fails only its shard, which reports it.
      const opened = new Map<Shard, ShardInput>()
      for (const [shard, spec] of specs) {
        opened.set(shard, yield* openInput(spec.path, spec.format).pipe(Effect.catch((error) => Effect.succeed(failedInput(error)))))
      }

      // Every shard appends to the report as its records become durable; populate checks it
      // and starts it empty once it holds the shards' locks, before any shard runs.
      const reportPath = Option.map(options.reportFile, (path) => resolve(invocationDir(), path))
      const files = (shard: Shard) => ({
        rejected: join(dir, `${shard.name}.rejected.ndjson`),
        ...(Option.isSome(reportPath) ? { report: { path: reportPath.value, spool: join(dir, `${shard.name}.results.ndjson`) } } : {})
      })
      const task = (shard: Shard): ShardWorkerTask => {
        const spec = specs.get(shard)
        return {
          shard: shard.name,
          input: spec === undefined ? null : { path: spec.path, ...(spec.format === undefined ? {} : { format: spec.format }) },
          storage: workerStorage ?? { backend: "none", options: null },
          reset: options.reset,
          batchSize: options.batchSize,
          onConflict: options.onConflict,
          keepRecords: 1000,
          keepRejected: 10,
          checkpointRecords: options.checkpointRecords,
          checkpointSeconds: options.checkpointSeconds,
          files: files(shard)
        }
      }
      // The progress display has its own scope: it is erased before the report is printed.
      const report = yield* Effect.scoped(
        Effect.gen(function* () {
          // A file's progress is in bytes read; the sample data's is in records.
          const board = yield* progressBoard(
            selected.map((shard) => ({ shard: shard.name, unit: specs.has(shard) ? "bytes" : "records" })),
            !options.quiet && process.stderr.isTTY === true
          )
          return yield* populate({
            shards: selection,
            reset: options.reset,
            batchSize: options.batchSize,
            onConflict: options.onConflict,
            checkpointRecords: options.checkpointRecords,
            checkpointSeconds: options.checkpointSeconds,
            inputs: (shard) => opened.get(shard) ?? sampleInput(shard),
            files,
            ...(Option.isSome(reportPath) ? { report: { path: reportPath.value, inputs: [...specs.values()].map((spec) => spec.path) } } : {}),
            onProgress: board.update,
            offload: (shard) =>
              workerStorage !== undefined && distinct && specs.get(shard)?.path !== "-"
                ? Option.some(
                    runShardInWorker(new URL("./shard-worker.js", import.meta.url), shard, task(shard), board.update).pipe(
                      // A worker tells its end itself, unless it died first: then its report does.
                      Effect.tap((report) => Effect.sync(() => board.finished(report)))
                    )
                  )
                : Option.none()
          })
        })
      )

      if (options.json) {
        yield* writeJsonReport(report, (name) => {
          const shard = selected.find((candidate) => candidate.name === name)
          return shard === undefined ? undefined : files(shard).rejected
        })
      } else {
        yield* Console.log(renderPopulateReport(report, primaryKeys))
      }
      for (const note of emptyInputNotes(report)) yield* Console.error(note)

      const failures = report.shards.flatMap((shard) => (shard.error === null ? [] : [{ shard: shard.shard, message: shard.error.message }]))
      if (failures.length > 0) return yield* new ShardFailuresError({ failures })
      const rejected = report.summary.invalid + report.summary.failed
      if (options.failOnReject && rejected > 0) return yield* new RejectedRecordsError({ rejected })
    }).pipe(Effect.scoped, Effect.provide(appLayer(options.dataDir, { waitSeconds: options.waitLock })))
).pipe(withHelp(populateHelp))

/**
 * `--input SHARD=PATH` options, by registered shard; paths are the user's, relative to where
 * they ran the command. A spec, shard or extension that makes no sense is bad usage (exit 2).
 */
const inputSpecs = (specs: ReadonlyArray<string>, format: InputSpec["format"]) =>
  Effect.gen(function* () {
    const registry = yield* ShardRegistry
    const byShard = new Map<Shard, InputSpec>()
    const usage = (reason: string) => new UsageError({ reason })
    for (const text of specs) {
      const spec = yield* Effect.mapError(Effect.fromResult(parseInputSpec(text)), (error) => usage(`--input ${text}: ${error.reason}`))
      const shard = yield* registry.lookup(spec.shard)
      if (byShard.has(shard)) return yield* usage(`--input names shard ${shard.name} twice`)
      if (spec.path !== "-" && format === undefined) {
        yield* Effect.mapError(Effect.fromResult(formatOfPath(spec.path)), (error) => usage(`--input ${text}: ${error.reason}`))
      }
      byShard.set(shard, { path: spec.path === "-" ? "-" : resolve(invocationDir(), spec.path), format })
    }
    if ([...byShard.values()].filter((spec) => spec.path === "-").length > 1) return yield* usage("only one --input can read stdin (-)")
    return byShard
  })

/**
 * With `--input`, the shards loaded are those the inputs name; a `--shard` that selects
 * another set (`--shard users --input orders=FILE`) is a contradiction, not a filter to ignore.
 */
const inputsMatchSelection = (specs: ReadonlyMap<Shard, InputSpec>, selection: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    if (specs.size === 0 || selection.length === 0) return
    const registry = yield* ShardRegistry
    const selected = new Set(yield* Effect.forEach(selection, registry.lookup))
    const withoutInput = [...selected].filter((shard) => !specs.has(shard)).map((shard) => shard.name)
    const notSelected = [...specs.keys()].filter((shard) => !selected.has(shard)).map((shard) => shard.name)
    if (withoutInput.length > 0 || notSelected.length > 0) {
      return yield* new UsageError({
        reason: `--shard and --input disagree: ${[
          ...withoutInput.map((name) => `--shard ${name} has no --input`),
          ...notSelected.map((name) => `--input ${name}=... is not selected by --shard`)
        ].join("; ")} (with --input, the shards loaded are those named by --input; --shard is not needed)`
      })
    }
  })

/** Worker threads pay off only on large inputs; `auto` measures the files to decide. */
const workersWanted = (mode: "auto" | "on" | "off", selected: ReadonlyArray<Shard>, specs: ReadonlyMap<Shard, InputSpec>) =>
  Effect.gen(function* () {
    if (mode !== "auto") return mode === "on"
    const files = selected.flatMap((shard) => {
      const spec = specs.get(shard)
      return spec === undefined || spec.path === "-" ? [] : [spec.path]
    })
    if (files.length < 2) return false
    const sizes = yield* Effect.forEach(files, (path) =>
      Effect.promise(() => stat(path).then((stats) => stats.size, () => 0))
    )
    return sizes.reduce((sum, size) => sum + size, 0) >= WORKERS_FROM_BYTES
  })
