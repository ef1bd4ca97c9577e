import { spawnSync } from "node:child_process"
import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, rm, stat } from "node:fs/promises"
import { loadavg } from "node:os"
import { join } from "node:path"
import { seedShards } from "@distributed-insert/seed-shards"
import { generateCommand } from "./data-set.ts"
import { runChild } from "./measure/child-process.ts"
import type { ProcessMeter } from "./measure/process-meter.ts"
import { median } from "./median.ts"

/**
 * The scaling benchmark: one shard (users, `--workers off`) at 1M, 2M and 4M records, with the
 * default checkpoints and with none, in this one process tree so that the ratios compare runs
 * made under the same conditions. Says whether a checkpoint costs what it adds (4M with
 * checkpoints at most 1.15× 4M without) and whether time grows linearly (4M / 1M at most 4.4),
 * and how peak RSS compares with 2 × the database + 150 MB.
 */
export interface ScalingSample {
  readonly records: number
  readonly checkpoints: boolean
  readonly wallSeconds: number
  readonly peakRssBytes: number
  readonly databaseBytes: number
  readonly loadBefore: number
}

export const SCALING_SIZES = [1_000_000, 2_000_000, 4_000_000] as const

/** Generates the largest input once; the smaller ones are its first lines. */
const prepareInputs = async (cliBundle: string, dir: string, progress: (line: string) => void): Promise<ReadonlyMap<number, string>> => {
  const largest = Math.max(...SCALING_SIZES)
  progress(`scaling: generating ${largest.toLocaleString("en-US")} users`)
  const users = seedShards.filter((shard) => shard.name === "users")
  const generate = generateCommand(cliBundle, users, largest, join(dir, "data"))
  const generated = await runChild(generate)
  if (generated.exitCode !== 0) throw new Error(`generate failed: ${generated.stderr.trim()}`)
  const full = join(dir, "data", "users.ndjson")
  const inputs = new Map<number, string>([[largest, full]])
  for (const size of SCALING_SIZES.filter((candidate) => candidate !== largest)) {
    const path = join(dir, `users-${size}.ndjson`)
    await writeFirstLines(full, path, size)
    inputs.set(size, path)
  }
  return inputs
}

/** Copies the first `count` lines of `source` to `target`. */
const writeFirstLines = async (source: string, target: string, count: number): Promise<void> => {
  const out = createWriteStream(target)
  let left = count
  for await (const chunk of createReadStream(source)) {
    const bytes: Buffer = chunk
    let end = 0
    while (left > 0 && end < bytes.length) {
      const newline = bytes.indexOf(10, end)
      if (newline === -1) {
        end = bytes.length
        break
      }
      end = newline + 1
      left--
    }
    if (!out.write(bytes.subarray(0, end))) await new Promise<void>((resolve) => out.once("drain", () => resolve()))
    if (left === 0) break
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
}

export const runScaling = async (options: {
  readonly cliBundle: string
  readonly workDir: string
  readonly meter: ProcessMeter
  readonly repetitions: number
  readonly progress: (line: string) => void
}): Promise<ReadonlyArray<ScalingSample>> => {
  const inputs = await prepareInputs(options.cliBundle, options.workDir, options.progress)
  const samples: Array<ScalingSample> = []
  for (let round = 1; round <= options.repetitions; round++) {
    for (const records of SCALING_SIZES) {
      for (const checkpoints of [true, false]) {
        const dataDir = join(options.workDir, "scaling-db")
        await rm(dataDir, { recursive: true, force: true })
        await mkdir(dataDir, { recursive: true })
        const loadBefore = loadavg()[0] ?? 0
        const input = inputs.get(records) ?? ""
        const measured = await options.meter.measure({
          file: process.execPath,
          args: [
            options.cliBundle,
            "populate",
            "--input",
            `users=${input}`,
            "--data-dir",
            dataDir,
            "--workers",
            "off",
            "--quiet",
            ...(checkpoints ? [] : ["--checkpoint-records", "0", "--checkpoint-seconds", "0"])
          ]
        })
        if (measured.exitCode !== 0) throw new Error(`populate failed (exit ${measured.exitCode}): ${measured.stderr.trim()}`)
        const databaseBytes = (await stat(join(dataDir, "users.db"))).size
        samples.push({ records, checkpoints, wallSeconds: measured.wallSeconds, peakRssBytes: measured.peakRssBytes, databaseBytes, loadBefore })
        options.progress(
          `scaling round ${round}: ${records.toLocaleString("en-US")} records, ${checkpoints ? "default checkpoints" : "no checkpoints"}: ${measured.wallSeconds.toFixed(1)} s, ${(measured.peakRssBytes / 1e6).toFixed(0)} MB peak (load ${loadBefore.toFixed(2)})`
        )
      }
    }
  }
  return samples
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`

/** The scaling section of a results file: medians per size and mode, and the ratios the issue asks for. */
export const renderScaling = (samples: ReadonlyArray<ScalingSample>, repetitions: number): string => {
  const cell = (records: number, checkpoints: boolean) => {
    const runs = samples.filter((sample) => sample.records === records && sample.checkpoints === checkpoints)
    return {
      seconds: median(runs.map((run) => run.wallSeconds)),
      rss: median(runs.map((run) => run.peakRssBytes)),
      database: median(runs.map((run) => run.databaseBytes)),
      loads: runs.map((run) => run.loadBefore.toFixed(1)).join(", ")
    }
  }
  const lines = [
    "## Scaling: one shard (users, `--workers off`), 1M / 2M / 4M records",
    "",
    `Medians of ${repetitions} run(s) each, rounds interleaved (1M, 2M, 4M, each with and without checkpoints, then again). Load average (1 min) before each run in the last column; \`uptime\` at the end: ${uptime()}.`,
    "",
    "| records | checkpoints | time | records/s | peak RSS | database | 2 × database + 150 MB | RSS within | load before runs |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  ]
  for (const records of SCALING_SIZES) {
    for (const checkpoints of [true, false]) {
      const { seconds, rss, database, loads } = cell(records, checkpoints)
      const limit = 2 * database + 150e6
      lines.push(
        `| ${records.toLocaleString("en-US")} | ${checkpoints ? "default (100,000 records / 30 s)" : "none (`0` / `0`)"} | ${seconds.toFixed(1)} s | ${Math.round(records / seconds).toLocaleString("en-US")} | ${mb(rss)} | ${mb(database)} | ${mb(limit)} | ${rss <= limit ? "yes" : "no"} | ${loads} |`
      )
    }
  }
  const largest = Math.max(...SCALING_SIZES)
  const smallest = Math.min(...SCALING_SIZES)
  const withCheckpoints = cell(largest, true).seconds
  const without = cell(largest, false).seconds
  const growth = withCheckpoints / cell(smallest, true).seconds
  lines.push(
    "",
    `- checkpoint cost: time(4M, default) / time(4M, none) = ${(withCheckpoints / without).toFixed(2)} (target ≤ 1.15): ${withCheckpoints / without <= 1.15 ? "met" : "not met"}`,
    `- linearity: time(4M) / time(1M), default checkpoints = ${growth.toFixed(2)} (target ≤ 4.4): ${growth <= 4.4 ? "met" : "not met"}; without checkpoints ${(without / cell(smallest, false).seconds).toFixed(2)}`,
    ""
  )
  return lines.join("\n")
}

const uptime = (): string => {
  const result = spawnSync("uptime", [], { encoding: "utf8" })
  return result.status === 0 ? `\`${result.stdout.trim()}\`` : `load ${loadavg().map((value) => value.toFixed(2)).join(", ")}`
}
