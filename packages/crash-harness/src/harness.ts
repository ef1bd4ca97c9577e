import type { ChildProcess } from "node:child_process"
import { statSync } from "node:fs"
import { mkdir, readdir, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { durableThroughByShard } from "@distributed-insert/pipeline"
import { seededRandom } from "@distributed-insert/shard"
import { orders } from "@distributed-insert/shard-orders"
import { users } from "@distributed-insert/shard-users"
import { copyCliBundle } from "./cli-bundle.ts"
import { type CliEnvironment, runCli, spawnCli } from "./cli-process.ts"
import { type LoadKind, type ShardHome, type ShardPlace, sqljsFiles } from "./shard-home.ts"

/**
 * The crash harness: loads generated data, SIGKILLs the load at a random moment, and checks
 * what a crash must leave: sound shard files, every record a checkpoint marker called durable
 * present once, nothing that was not in the input, and a re-run with `--on-conflict skip` that
 * completes the load exactly.
 */
export interface CrashOptions {
  /** A scratch directory, emptied and used for inputs, data and reports. */
  readonly dir: string
  /** Loads to kill. */
  readonly kills: number
  /** Records generated per shard. */
  readonly count: number
  readonly checkpointRecords: number
  readonly batchSize: number
  readonly seed: number
  /** Told after every trial, e.g. to print it. */
  readonly onTrial?: (trial: TrialResult) => void
  /** Where the shards live (shard-home.ts): sql.js files in the data directory unless told. */
  readonly home?: ShardHome
}

export interface TrialResult {
  readonly trial: number
  readonly workers: Workers
  readonly killedAfterMs: number
  /** False when the load finished before the kill came. */
  readonly killed: boolean
  readonly durableThrough: Readonly<Record<string, number>>
  /** Records a checkpoint called durable that the shard file does not hold, or holds differently. */
  readonly losses: number
  /** Rows that no input record explains. */
  readonly strangers: number
  readonly corruptFiles: ReadonlyArray<string>
  /** What the re-run with `--on-conflict skip` got wrong: empty when it reached the full data. */
  readonly rerunProblems: ReadonlyArray<string>
  /** The kill left a redo journal (`<shard>.db.redo`) to replay: it came between checkpoints, or during a journal write. */
  readonly journalLeft: boolean
  /** The kill left a snapshot's temp file: it came during a snapshot write. */
  readonly snapshotTempLeft: boolean
  /**
   * When a journal was left, a first re-run was killed this soon after its start, while it
   * opened the shards and replayed their journals; null when none was.
   */
  readonly replayKilledAfterMs: number | null
  /** Where this trial's shards were (`ShardPlace.layout`). */
  readonly layout: string
  /** What the shards' engine's own checks after the kill found wrong (`ShardPlace.afterKill`); none for files. */
  readonly placeProblems: ReadonlyArray<string>
  /** What those checks told that is not wrong. */
  readonly notes: ReadonlyArray<string>
}

export interface CrashSummary {
  readonly trials: ReadonlyArray<TrialResult>
  readonly kills: number
  readonly losses: number
  readonly strangers: number
  readonly corruptFiles: number
  readonly failedReruns: number
  readonly journalsLeft: number
  readonly snapshotTempsLeft: number
  readonly replayKills: number
  /** `ShardHome.description` of where the shards lived. */
  readonly home: string
  /** Trials whose engine's own checks found something wrong. */
  readonly failedPlaceChecks: number
}

/**
 * A re-run that replays journals is killed within this many milliseconds of its start: the
 * CLI's start-up (~200 ms) and the opening of its shards, replays included, at the harness's sizes.
 */
const REPLAY_KILL_WINDOW_MS = 600

/** The shards each load fills; their plugins read their files back. */
const SHARDS = [users, orders] as const

type Workers = "on" | "off"

interface Expected {
  /** The input's record ids, by position (index 0 is position 1). */
  readonly idsByPosition: ReadonlyArray<number | null>
  /** What a complete load stores: row JSON by id. */
  readonly rows: ReadonlyMap<number, string>
}

/** Runs the trials with a copy of the built CLI made now (see cli-bundle.ts), removed at the end. */
export const runCrashTrials = async (options: CrashOptions): Promise<CrashSummary> => {
  const cli = await copyCliBundle()
  const open = new Set<ShardPlace>()
  try {
    return await runTrials(cli.main, options, open)
  } finally {
    await Promise.allSettled([...open].map((place) => place.close()))
    await cli.remove()
  }
}

/** The trials, run with the CLI whose entry point is `cliMain`. */
const runTrials = async (cliMain: string, options: CrashOptions, open: Set<ShardPlace>): Promise<CrashSummary> => {
  await rm(options.dir, { recursive: true, force: true })
  // The killed CLIs' run temp folders (see cli-process.ts), removed with the scratch directory.
  const cliTmp = join(options.dir, "tmp")
  await mkdir(cliTmp, { recursive: true })
  const cli: CliEnvironment = { tmpDir: cliTmp }
  const inputs = join(options.dir, "inputs")
  const generated = await runCli(cliMain, ["generate", "--count", String(options.count), "--seed", String(options.seed), "--out", inputs, ...SHARDS.flatMap((shard) => ["--shard", shard.name])], cli)
  if (generated.code !== 0) throw new Error(`generate failed: ${generated.stderr}`)
  const inputArgs = SHARDS.flatMap((shard) => ["--input", `${shard.name}=${join(inputs, `${shard.name}.ndjson`)}`])
  const populateArgs = (dataDir: string, extra: ReadonlyArray<string>) => [
    "populate", "--quiet", "--json", "--data-dir", dataDir, "--batch-size", String(options.batchSize),
    "--checkpoint-records", String(options.checkpointRecords), ...inputArgs, ...extra
  ]

  // Uninterrupted loads, one per way of running, which also say when the first checkpoint lands
  // (the report grows only then) and when the load ends: kills are spread over that window.
  const home = options.home ?? sqljsFiles
  // Each load's place is closed once the load is judged; `open` keeps those not closed yet, which
  // runCrashTrials closes when a trial throws (a server keeps the databases nobody drops).
  const openPlace = async (dataDir: string, load: LoadKind) => {
    const place = await home.open(dataDir, load)
    open.add(place)
    return place
  }
  const closePlace = (place: ShardPlace) => {
    open.delete(place)
    return place.close()
  }
  const timedLoad = async (workers: Workers) => {
    const dataDir = join(options.dir, `reference-${workers}`)
    const report = join(options.dir, `reference-${workers}.ndjson`)
    const place = await openPlace(dataDir, { _tag: "reference" })
    const started = Date.now()
    let firstDurableMs: number | null = null
    const watch = setInterval(() => {
      if (firstDurableMs === null && (statSync(report, { throwIfNoEntry: false })?.size ?? 0) > 0) firstDurableMs = Date.now() - started
    }, 5)
    const run = await runCli(cliMain, populateArgs(dataDir, [...place.args, "--workers", workers, "--report", report]), cli).finally(() => clearInterval(watch))
    const fullRunMs = Date.now() - started
    if (run.code !== 0) throw new Error(`reference load (workers ${workers}) failed: ${run.stderr}`)
    // Ending the window a little before the load does keeps most trials kills, even when this
    // first, colder load was slower than the ones to be killed.
    return { place, windowStart: (firstDurableMs ?? fullRunMs / 2) * 0.7, windowEnd: fullRunMs * 0.95 }
  }
  const windows = { off: await timedLoad("off"), on: await timedLoad("on") }
  await closePlace(windows.on.place)
  const referencePlace = windows.off.place
  const expected = new Map<string, Expected>()
  for (const shard of SHARDS) {
    const file = await referencePlace.read(shard)
    if (file._tag !== "Sound") throw new Error(`reference ${shard.name}.db: ${file._tag}`)
    const lines = (await readFile(join(inputs, `${shard.name}.ndjson`), "utf8")).split("\n").filter((line) => line !== "")
    const idsByPosition = lines.map((line) => {
      const { id }: { readonly id?: unknown } = JSON.parse(line)
      return typeof id === "number" ? id : null
    })
    expected.set(shard.name, { idsByPosition, rows: file.rows })
  }
  await closePlace(referencePlace)

  const random = seededRandom(options.seed)
  const trials: Array<TrialResult> = []
  // Until `kills` loads were killed: a load that finishes before its kill does not count (capped, in case most do).
  for (let trial = 1; trials.filter((done) => done.killed).length < options.kills && trial <= options.kills * 4; trial++) {
    const dataDir = join(options.dir, "data")
    const reportPath = join(options.dir, "report.ndjson")
    // The report too: a run killed before it empties the report must not inherit the last one's markers.
    await rm(dataDir, { recursive: true, force: true })
    await rm(reportPath, { force: true })
    // Both ways a shard runs: fibers of the main thread, and worker threads.
    const workers: Workers = trial % 2 === 0 ? "on" : "off"
    // From a while before the first checkpoint to just after the load usually ends.
    const { windowStart, windowEnd } = windows[workers]
    const killedAfterMs = Math.round(windowStart + random.next() * (windowEnd - windowStart))
    const place = await openPlace(dataDir, { _tag: "trial", trial })
    const killed = await killAfter(spawnCli(cliMain, populateArgs(dataDir, [...place.args, "--workers", workers, "--report", reportPath]), cli), killedAfterMs)

    const durable = await durableThroughByShard(reportPath)
    // The engine's own checks first: a server may still be ending the killed load's sessions.
    const checked = await place.afterKill({ durable, expected, batchSize: options.batchSize })
    let losses = 0
    let strangers = 0
    const corruptFiles: Array<string> = []
    const left = await readdir(dataDir).catch(() => [])
    const journalLeft = left.some((file) => file.endsWith(".db.redo"))
    const snapshotTempLeft = left.some((file) => file.endsWith(".tmp"))
    // What the files hold is judged after the kill, and again after a re-run killed while it
    // replays the journals: opening replays in memory and only cuts a torn tail, so a kill
    // then must change nothing durable either.
    let replayKilledAfterMs: number | null = null
    const judge = async () => {
      for (const shard of SHARDS) {
        const want = expected.get(shard.name)
        if (want === undefined) continue
        const file = await place.read(shard)
        if (file._tag === "Corrupt") {
          corruptFiles.push(`${shard.name}.db: ${file.reason}`)
          continue
        }
        const rows = file._tag === "Sound" ? file.rows : new Map<number, string>()
        const through = durable.get(shard.name) ?? 0
        for (const id of want.idsByPosition.slice(0, through)) {
          const row = id === null ? undefined : want.rows.get(id)
          // A record the complete load rejects is not expected; one it stores must be there, the same.
          if (id !== null && row !== undefined && rows.get(id) !== row) losses++
        }
        for (const [id, row] of rows) if (want.rows.get(id) !== row) strangers++
      }
    }
    await judge()
    if (journalLeft) {
      replayKilledAfterMs = Math.round(random.next() * REPLAY_KILL_WINDOW_MS)
      await killAfter(spawnCli(cliMain, populateArgs(dataDir, [...place.args, "--workers", workers, "--on-conflict", "skip"]), cli), replayKilledAfterMs)
      await judge()
    }

    const rerun = await runCli(cliMain, populateArgs(dataDir, [...place.args, "--workers", workers, "--on-conflict", "skip"]), cli)
    const rerunProblems: Array<string> = rerun.code === 0 ? [] : [`re-run exited ${rerun.code}: ${rerun.stderr.trim()}`]
    for (const shard of SHARDS) {
      const want = expected.get(shard.name)
      const file = await place.read(shard)
      if (want === undefined) continue
      if (file._tag !== "Sound") {
        rerunProblems.push(`${shard.name}.db after the re-run: ${file._tag === "Corrupt" ? file.reason : "missing"}`)
        continue
      }
      const missing = [...want.rows].filter(([id, row]) => file.rows.get(id) !== row).length
      if (file.rows.size !== want.rows.size || missing > 0) {
        rerunProblems.push(`${shard.name}: ${file.rows.size} rows, ${want.rows.size} expected, ${missing} missing or different`)
      }
    }
    const result: TrialResult = {
      trial,
      workers,
      killedAfterMs,
      killed,
      durableThrough: Object.fromEntries(durable),
      losses,
      strangers,
      corruptFiles,
      rerunProblems,
      journalLeft,
      snapshotTempLeft,
      replayKilledAfterMs,
      layout: place.layout,
      placeProblems: checked.problems,
      notes: checked.notes
    }
    trials.push(result)
    options.onTrial?.(result)
    await closePlace(place)
  }
  return {
    trials,
    kills: trials.filter((trial) => trial.killed).length,
    losses: trials.reduce((sum, trial) => sum + trial.losses, 0),
    strangers: trials.reduce((sum, trial) => sum + trial.strangers, 0),
    corruptFiles: trials.reduce((sum, trial) => sum + trial.corruptFiles.length, 0),
    failedReruns: trials.filter((trial) => trial.rerunProblems.length > 0).length,
    journalsLeft: trials.filter((trial) => trial.journalLeft).length,
    snapshotTempsLeft: trials.filter((trial) => trial.snapshotTempLeft).length,
    replayKills: trials.filter((trial) => trial.replayKilledAfterMs !== null).length,
    home: home.description,
    failedPlaceChecks: trials.filter((trial) => trial.placeProblems.length > 0).length
  }
}

export const summaryLine = (summary: CrashSummary): string =>
  `${summary.trials.length} trials, ${summary.kills} kills (${summary.trials.length - summary.kills} loads finished first), ` +
  `${summary.losses} losses, ${summary.strangers} strangers, ${summary.corruptFiles} corrupt files, ${summary.failedReruns} failed re-runs; ` +
  `${summary.journalsLeft} kills left a redo journal (each replayed by a re-run killed during its start: ${summary.replayKills}), ` +
  `${summary.snapshotTempsLeft} came during a snapshot write` +
  // Only where the engine has checks of its own, so that the files' line stays as it was.
  (summary.home === sqljsFiles.description ? "" : `, ${summary.failedPlaceChecks} trials failing the engine's checks`)

/** SIGKILLs `child` after `ms` unless it has exited by then; resolves once it is gone, with whether the kill did it. */
const killAfter = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve, reject) => {
    let killed = false
    const timer = setTimeout(() => {
      killed = child.kill("SIGKILL")
    }, ms)
    child.on("error", reject)
    child.on("exit", () => {
      clearTimeout(timer)
      resolve(killed)
    })
  })
