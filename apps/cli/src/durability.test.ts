import { spawn } from "node:child_process"
import { statSync } from "node:fs"
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { durableThroughByShard } from "@distributed-insert/pipeline"
import { seededRandom } from "@distributed-insert/shard"
import { readShardFile } from "@distributed-insert/storage-sqljs/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { type CliRun, cliPath, runCli } from "./testing.ts"

const shardNamed = (name: string) => {
  const shard = shards.find((candidate) => candidate.name === name)
  if (shard === undefined) throw new Error(`no shard ${name}`)
  return shard
}

// What the --report file says is durable against what the shard files hold, after Ctrl-C or
// SIGTERM at random moments (many of them during a checkpoint's write), and completing a
// `--on-conflict replace` load after a crash.

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-durability-"))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const SHARDS = ["users", "orders"] as const

/** The CLI as a process; `signal` it once its report holds a marker and `afterMs` more passed. */
const populateThenSignal = (args: ReadonlyArray<string>, report: string, signal: NodeJS.Signals, afterMs: number) =>
  new Promise<CliRun & { readonly signalled: boolean }>((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, INIT_CWD: "" }, stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    let signalled = false
    const watch = setInterval(() => {
      if ((statSync(report, { throwIfNoEntry: false })?.size ?? 0) === 0) return
      clearInterval(watch)
      setTimeout(() => {
        signalled = child.kill(signal)
      }, afterMs)
    }, 2)
    child.on("error", reject)
    child.on("close", (code) => {
      clearInterval(watch)
      resolve({ code: code ?? -1, stdout: "", stderr, signalled })
    })
  })

const number = (text: string) => Number(text.replaceAll(",", ""))

/**
 * What an interrupted run said on stderr of `shard` (after "interrupted", one line a shard): how
 * many records of its input are durable, and how many of them it inserted.
 */
const durableSaid = (stderr: string, shard: string): { readonly through: number; readonly inserted: number } | undefined => {
  const line = stderr.split("\n").find((candidate) => candidate.trimStart().startsWith(`${shard} `))
  if (line === undefined) return undefined
  const done = /done: ([\d,]+) records \(([\d,]+) inserted/.exec(line)
  if (done !== null) return { through: number(done[1] ?? ""), inserted: number(done[2] ?? "") }
  const partly = /records 1-([\d,]+) of its input are durable \(([\d,]+) inserted/.exec(line)
  if (partly !== null) return { through: number(partly[1] ?? ""), inserted: number(partly[2] ?? "") }
  return line.includes("no record of this run is durable") ? { through: 0, inserted: 0 } : undefined
}

describe("Ctrl-C or SIGTERM at any moment", () => {
  const inputs = () => join(dir, "inputs")
  const reference = () => join(dir, "reference")
  beforeAll(async () => {
    const generated = await runCli(["generate", "--count", "20000", "--out", inputs(), ...SHARDS.flatMap((shard) => ["--shard", shard])])
    if (generated.code !== 0) throw new Error(generated.stderr)
    const loaded = await runCli(["populate", "--quiet", "--data-dir", reference(), ...inputArgs()])
    if (loaded.code !== 0) throw new Error(loaded.stderr)
  })
  const inputArgs = () => SHARDS.flatMap((shard) => ["--input", `${shard}=${join(inputs(), `${shard}.ndjson`)}`])

  it("leaves a report, and says on stderr, exactly what the shard files hold: every record up to its last marker, nothing after", async () => {
    const random = seededRandom(8)
    const complete = new Map<string, ReadonlyMap<number, string>>()
    for (const shard of SHARDS) {
      const file = await readShardFile(join(reference(), `${shard}.db`), shardNamed(shard))
      if (file._tag !== "Sound") throw new Error(`reference ${shard}: ${file._tag}`)
      complete.set(shard, file.rows)
    }
    const outcomes: Array<string> = []
    let stopped = 0
    for (let trial = 0; trial < 12; trial++) {
      const dataDir = join(dir, `trial-${trial}`)
      const report = join(dir, `trial-${trial}.ndjson`)
      const signal = trial % 2 === 0 ? "SIGINT" : "SIGTERM"
      const workers = trial % 4 < 2 ? "off" : "on"
      // A checkpoint after every batch: the writes take much of the run, so many signals land in one.
      const run = await populateThenSignal(
        ["populate", "--quiet", "--data-dir", dataDir, "--workers", workers, "--batch-size", "500", "--checkpoint-records", "500", "--report", report, ...inputArgs()],
        report,
        signal,
        Math.floor(random.next() * 400)
      )
      // 130 when the signal stopped it; 0 when the load ended first (or as the signal came).
      expect([0, 130], run.stderr).toContain(run.code)
      if (run.code === 130) stopped++
      const durable = await durableThroughByShard(report)
      const lines = (await readFile(report, "utf8")).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
      for (const shard of SHARDS) {
        const through = durable.get(shard) ?? 0
        const file = await readShardFile(join(dataDir, `${shard}.db`), shardNamed(shard))
        const rows = file._tag === "Sound" ? file.rows : new Map<number, string>()
        expect(file._tag, `${shard} after ${signal}`).not.toBe("Corrupt")
        // Generated ids are the positions: the file holds exactly the complete load's rows up to `through`.
        const wanted = [...(complete.get(shard) ?? new Map<number, string>())].filter(([id]) => id <= through)
        expect([...rows].sort(([a], [b]) => a - b), `${shard}: ${signal} with --workers ${workers}, report durable through ${through}`).toEqual(wanted)
        const positions = lines.filter((line) => line.shard === shard && line.position !== undefined).map((line) => line.position)
        expect(positions, `${shard}'s result lines`).toEqual(Array.from({ length: through }, (_, index) => index + 1))
        // Stopped by the signal, the run says of each shard what its file holds, as the report does.
        if (run.code === 130) expect(durableSaid(run.stderr, shard), `${shard} in:\n${run.stderr}`).toEqual({ through, inserted: rows.size })
        outcomes.push(`${shard} ${through}`)
      }
    }
    // Most trials were stopped part way, not all at the same point.
    expect(new Set(outcomes).size).toBeGreaterThan(4)
    expect(stopped).toBeGreaterThan(4)
  }, 240_000)
})

describe("completing a --on-conflict replace load after a crash", () => {
  it("takes a re-run with replace: skip would keep the old values of every record after the last checkpoint", async () => {
    const count = 20_000
    const user = (id: number, version: string) => JSON.stringify({ id, name: `${version} ${id}`, email: `${version}.${id}@example.com` })
    const old = join(dir, "old.ndjson")
    const updated = join(dir, "new.ndjson")
    await writeFile(old, Array.from({ length: count }, (_, index) => user(index + 1, "old")).join("\n"))
    await writeFile(updated, Array.from({ length: count }, (_, index) => user(index + 1, "new")).join("\n"))
    const replaceArgs = (dataDir: string, report: string) =>
      ["populate", "--quiet", "--data-dir", dataDir, "--input", `users=${updated}`, "--on-conflict", "replace", "--batch-size", "500", "--checkpoint-records", "1000", "--report", report]

    // Until a kill lands part way (a load can finish first on a fast machine).
    let dataDir = ""
    let through = 0
    for (let attempt = 0; attempt < 5 && (through === 0 || through === count); attempt++) {
      dataDir = join(dir, `replace-${attempt}`)
      expect((await runCli(["populate", "--quiet", "--data-dir", dataDir, "--input", `users=${old}`])).code).toBe(0)
      const report = join(dir, `replace-${attempt}.ndjson`)
      await populateThenSignal(replaceArgs(dataDir, report), report, "SIGKILL", 0)
      through = (await durableThroughByShard(report)).get("users") ?? 0
    }
    expect(through).toBeGreaterThan(0)
    expect(through).toBeLessThan(count)
    const names = async () => {
      const file = await readShardFile(join(dataDir, "users.db"), shardNamed("users"))
      if (file._tag !== "Sound") throw new Error(`users.db: ${file._tag}`)
      return [...file.rows.values()].map((row): string => JSON.parse(row).name.split(" ")[0])
    }
    const tally = (versions: ReadonlyArray<string>) => ({ new: versions.filter((v) => v === "new").length, old: versions.filter((v) => v === "old").length })
    // The crash: records up to the last checkpoint were replaced, the rest were not.
    expect(tally(await names())).toEqual({ new: through, old: count - through })

    // What a skip re-run would do, on a copy: keep the old rows, since their keys are taken.
    const copy = join(dir, "skip-copy")
    await rm(copy, { recursive: true, force: true })
    await cp(dataDir, copy, { recursive: true })
    const skipped = await runCli(["populate", "--json", "--quiet", "--data-dir", copy, "--input", `users=${updated}`, "--on-conflict", "skip"])
    expect(skipped.code).toBe(0)
    expect(JSON.parse(skipped.stdout).shards[0].counts).toMatchObject({ inserted: 0, skipped: count })
    const skippedFile = await readShardFile(join(copy, "users.db"), shardNamed("users"))
    expect(skippedFile._tag === "Sound" ? tally([...skippedFile.rows.values()].map((row): string => JSON.parse(row).name.split(" ")[0])) : skippedFile).toEqual({
      new: through,
      old: count - through
    })

    // The right way: the same command again, with replace. Every row ends with the new values.
    const rerun = await runCli(["populate", "--json", "--quiet", "--data-dir", dataDir, "--input", `users=${updated}`, "--on-conflict", "replace"])
    expect(rerun.code).toBe(0)
    expect(JSON.parse(rerun.stdout).shards[0].counts).toMatchObject({ replaced: count, inserted: 0 })
    expect(tally(await names())).toEqual({ new: count, old: 0 })
  }, 120_000)
})
