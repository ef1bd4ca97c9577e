import { spawn } from "node:child_process"
import { access, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { type CliRun, cliPath, type JsonReport, parseJsonReport, runCli } from "./testing.ts"
import { databaseFileOf, expectedSampleLoad } from "./testing-registry.ts"

// End to end: the single-writer lock on each shard file, between real processes.

interface Holder {
  readonly pid: number
  readonly since: string
  readonly hostname: string
}
let dataDir = ""
let inputs = ""
beforeAll(async () => {
  // Large enough that a load takes a while (for signals and for two runs to overlap).
  inputs = await mkdtemp(join(tmpdir(), "distributed-insert-lock-inputs-"))
  const generated = await runCli(["generate", "--count", "200000", "--out", inputs, "--shard", "users", "--shard", "orders"])
  if (generated.code !== 0) throw new Error(generated.stderr)
  const small = await runCli(["generate", "--count", "20000", "--out", join(inputs, "small"), "--shard", "users", "--shard", "orders"])
  if (small.code !== 0) throw new Error(small.stderr)
})
afterAll(async () => {
  await rm(inputs, { recursive: true, force: true })
})
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "distributed-insert-lock-"))
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

const populate = (args: ReadonlyArray<string>) => runCli(["populate", "--json", "--quiet", "--data-dir", dataDir, ...args])
const reportOf = (run: CliRun): JsonReport => parseJsonReport(run.stdout)
const shardOf = (run: CliRun, name: string) => reportOf(run).shards.find((shard) => shard.shard === name)
const bigInputs = () => ["--input", `users=${join(inputs, "users.ndjson")}`, "--input", `orders=${join(inputs, "orders.ndjson")}`]
const smallInputs = () => ["--input", `users=${join(inputs, "small", "users.ndjson")}`, "--input", `orders=${join(inputs, "small", "orders.ndjson")}`]

const lockFile = (shard: string) => join(dataDir, `${shard}.db.lock`)
const holdLock = (shard: string, holder: Holder) => writeFile(lockFile(shard), `${JSON.stringify(holder)}\n`)
const readLock = async (shard: string): Promise<Holder> => JSON.parse(await readFile(lockFile(shard), "utf8"))
const exists = (path: string) => access(path).then(() => true, () => false)
const filesIn = async (dir: string) => (await readdir(dir)).sort()
/** The data directory after a load of every sample: each shard's file but those of the shards `missing`, and the files `besides`. */
const shardFiles = (options: { readonly missing?: ReadonlyArray<string>; readonly besides?: ReadonlyArray<string> } = {}) =>
  [...shards.filter((shard) => !(options.missing ?? []).includes(shard.name)).map(databaseFileOf), ...(options.besides ?? [])].sort()
/** Each shard's name and the records a first load of its sample inserts; 0 for the shards in `refused`. */
const insertedBySample = (...refused: ReadonlyArray<string>) =>
  shards.map((shard) => [shard.name, refused.includes(shard.name) ? 0 : expectedSampleLoad(shard).counts.inserted])

/** This test process: alive all along, and not the CLI under test. */
const liveHolder = (): Holder => ({ pid: process.pid, since: "2026-01-02T03:04:05.678Z", hostname: hostname() })

/** The pid of a process that has exited and been reaped. */
const deadPid = () =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
    child.on("error", reject)
    child.on("exit", () => (child.pid === undefined ? reject(new Error("no pid")) : resolve(child.pid)))
  })

/** The CLI as a process, like runCli, with what it has written to stderr so far. */
const startCli = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, INIT_CWD: "" }, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
  return { pid: child.pid, stderr: () => stderr, done }
}

/** Polls until `condition` holds; waiting with a deadline, never asserting how long it took. */
const waitFor = async (what: string, condition: () => Promise<boolean>) => {
  const deadline = Date.now() + 20_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const rowsOf = async () => {
  const listed = await runCli(["shards", "--json", "--data-dir", dataDir])
  return Object.fromEntries(JSON.parse(listed.stdout).shards.map((shard: { shard: string; rows: number }) => [shard.shard, shard.rows]))
}

describe("populate against a shard that another process is writing", () => {
  it("fails that shard with a message naming the holder's pid and since, loads the others, exits 1, leaves the lock alone", async () => {
    const holder = liveHolder()
    await holdLock("users", holder)
    const run = await populate([])
    expect(run.code).toBe(1)
    const users = shardOf(run, "users")
    expect(users?.error?.operation).toBe("lock")
    expect(users?.error?.message).toContain(`locked by process ${process.pid} on ${hostname()} since ${holder.since}`)
    expect(users?.counts.processed).toBe(0)
    expect(reportOf(run).shards.map((shard) => [shard.shard, shard.counts.inserted])).toEqual(insertedBySample("users"))
    expect(run.stderr).toContain(`process ${process.pid}`)
    expect(run.stderr).toContain(join(dataDir, "users.db"))
    expect(await readLock("users")).toEqual(holder)
    expect(await filesIn(dataDir)).toEqual(shardFiles({ missing: ["users"], besides: ["users.db.lock"] }))
  })

  it("with --wait-lock, says it waits, then loads the shard once the holder lets go", async () => {
    await holdLock("users", liveHolder())
    const running = startCli(["populate", "--json", "--quiet", "--data-dir", dataDir, "--wait-lock", "5"])
    await waitFor("the notice", async () => running.stderr().includes("waiting up to 5 s"))
    expect(await exists(join(dataDir, "users.db"))).toBe(false)
    await rm(lockFile("users"))
    const run = await running.done
    expect(run.code).toBe(0)
    expect(reportOf(run).shards.map((shard) => [shard.shard, shard.counts.inserted, shard.error])).toEqual(
      insertedBySample().map((inserted) => [...inserted, null])
    )
    expect(run.stderr).toMatch(new RegExp(`shard users \\(.*users\\.db\\) is locked by process ${process.pid} .*; waiting up to 5 s`))
    expect(await filesIn(dataDir)).toEqual(shardFiles())
  })

  it("gives up after --wait-lock seconds, saying so", async () => {
    await holdLock("orders", liveHolder())
    const run = await populate(["--wait-lock", "0.5", "--shard", "orders"])
    expect(run.code).toBe(1)
    expect(shardOf(run, "orders")?.error?.message).toMatch(new RegExp(`locked by process ${process.pid} .*gave up after waiting \\d`))
  })

  it("takes over the lock of a process that died", async () => {
    await holdLock("users", { pid: await deadPid(), since: "2026-01-02T03:04:05.678Z", hostname: hostname() })
    const run = await populate([])
    expect(run.code).toBe(0)
    expect(shardOf(run, "users")?.counts.inserted).toBe(9)
    expect(await filesIn(dataDir)).toEqual(shardFiles())
  })

  it("fails a shard loaded in a worker thread the same way, and a worker waits the same way", async () => {
    await holdLock("users", liveHolder())
    const refused = await populate(["--workers", "on", ...smallInputs()])
    expect(refused.code).toBe(1)
    expect(shardOf(refused, "users")?.error?.message).toContain(`locked by process ${process.pid}`)
    // Refused in the main thread, before any worker starts, and reported with its input all the same.
    expect(shardOf(refused, "users")?.input).toBe(join(inputs, "small", "users.ndjson"))
    expect(shardOf(refused, "orders")?.error).toBeNull()

    await rm(join(dataDir, "orders.db"))
    const running = startCli(["populate", "--json", "--quiet", "--data-dir", dataDir, "--workers", "on", "--wait-lock", "30", ...smallInputs()])
    await waitFor("the notice", async () => running.stderr().includes("waiting up to 30 s"))
    await rm(lockFile("users"))
    const run = await running.done
    expect(run.code).toBe(0)
    expect(shardOf(run, "users")?.error).toBeNull()
    expect(run.stderr).toContain(`locked by process ${process.pid}`)
    expect(await filesIn(dataDir)).toEqual(["orders.db", "users.db"])
  })

  it("migrate is a writer too", async () => {
    await holdLock("products", liveHolder())
    const run = await runCli(["migrate", "--data-dir", dataDir])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(new RegExp(`products .*failed: locked by process ${process.pid}`))
    expect(run.stdout).toMatch(/users .*applied User v1/)
  })

  it("readers (shards, list, get) neither take the lock nor wait for it", async () => {
    await populate([])
    const holder = liveHolder()
    await holdLock("users", holder)
    const listed = await runCli(["shards", "--json", "--data-dir", dataDir])
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout).shards.map((shard: { rows: number }) => shard.rows)).toEqual(shards.map((shard) => expectedSampleLoad(shard).rows))
    const list = await runCli(["list", "User", "--limit", "2", "--json", "--data-dir", dataDir])
    expect(JSON.parse(list.stdout)).toEqual([
      { id: 1, name: "Alice", email: "alice@example.com" },
      { id: 2, name: "Bob", email: "bob@example.com" }
    ])
    const get = await runCli(["get", "users", "3", "--json", "--data-dir", dataDir])
    expect(get.code).toBe(0)
    expect(await readLock("users")).toEqual(holder)
    expect(await filesIn(dataDir)).toEqual(shardFiles({ besides: ["users.db.lock"] }))
  })
})

describe("every exit path releases the locks", () => {
  it.each([
    ["SIGINT", "off"],
    ["SIGTERM", "off"],
    ["SIGINT", "on"],
    ["SIGTERM", "on"]
  ] as const)("%s with --workers %s: exit 130, no lock left behind", async (signal, workers) => {
    const running = populate(["--workers", workers, ...bigInputs()])
    await waitFor("both locks", async () => (await exists(lockFile("users"))) && (await exists(lockFile("orders"))))
    const { pid } = await readLock("users")
    process.kill(pid, signal)
    const run = await running
    expect(run.code, run.stderr + run.stdout.slice(0, 3000)).toBe(130)
    expect((await filesIn(dataDir)).filter((name) => name.endsWith(".lock"))).toEqual([])
  })

  it.each([["off"], ["on"]] as const)("SIGINT while waiting for a lock (--workers %s): exit 130, the holder's lock left as it was, none of its own", async (workers) => {
    const holder = liveHolder()
    await holdLock("users", holder)
    const running = startCli(["populate", "--json", "--quiet", "--data-dir", dataDir, "--workers", workers, "--wait-lock", "600", ...smallInputs()])
    await waitFor("the notice", async () => running.stderr().includes("waiting up to 600 s"))
    if (running.pid === undefined) throw new Error("no pid")
    process.kill(running.pid, "SIGINT")
    expect((await running.done).code).toBe(130)
    expect(await readLock("users")).toEqual(holder)
    expect((await filesIn(dataDir)).filter((name) => name.endsWith(".lock"))).toEqual(["users.db.lock"])
  })

  it("a run killed with SIGKILL leaves its locks behind, and the next run takes them over", async () => {
    const running = populate(["--workers", "off", ...bigInputs()])
    await waitFor("both locks", async () => (await exists(lockFile("users"))) && (await exists(lockFile("orders"))))
    const killed = await readLock("users")
    process.kill(killed.pid, "SIGKILL")
    await running
    expect(await readLock("users")).toEqual(killed)
    const run = await populate(["--workers", "off", ...smallInputs()])
    expect(run.code).toBe(0)
    expect(reportOf(run).shards.map((shard) => shard.error)).toEqual([null, null])
    expect((await filesIn(dataDir)).filter((name) => name.endsWith(".lock"))).toEqual([])
  })
})

describe("two populate runs at once on the same data directory", () => {
  it.each([["no lock"], ["a stale lock on every shard"]])("starting from %s: each shard is loaded by one run exactly, the other's records are refused as duplicates, nothing is lost", async (start) => {
    if (start !== "no lock") {
      const dead = await deadPid()
      for (const shard of ["users", "orders"]) await holdLock(shard, { pid: dead, since: "2026-01-02T03:04:05.678Z", hostname: hostname() })
    }
    const runs = await Promise.all([populate(["--wait-lock", "60", ...smallInputs()]), populate(["--wait-lock", "60", ...smallInputs()])])
    expect(runs.map((run) => run.code)).toEqual([0, 0])
    const rows = await rowsOf()
    for (const name of ["users", "orders"]) {
      const [first, second] = runs.map((run) => shardOf(run, name))
      if (first === undefined || second === undefined) throw new Error(`no report of ${name}`)
      const [loader, latecomer] = first.counts.inserted > 0 ? [first, second] : [second, first]
      const valid = loader.counts.processed - loader.counts.invalid
      expect(loader.counts).toMatchObject({ inserted: valid, failed: 0 })
      expect(latecomer.counts).toMatchObject({ inserted: 0, invalid: loader.counts.invalid, failed: valid })
      expect(latecomer.rejectedByRule["unique"]).toBe(valid)
      expect(rows[name]).toBe(valid)
    }
    // A run that found a shard held said so, naming the holder.
    for (const run of runs) {
      for (const line of run.stderr.split("\n").filter((text) => text !== "")) {
        expect(line).toMatch(/^shard (users|orders) \(.*\) is locked by process \d+ on .* since \S+Z, .*; waiting up to 60 s$/)
      }
    }
    expect((await filesIn(dataDir)).filter((name) => name.includes(".lock"))).toEqual([])
  })

  it("without --wait-lock, a run that finds a shard held gives up on it with the holder's pid, and nothing is lost", async () => {
    const runs = await Promise.all([populate(smallInputs()), populate(smallInputs())])
    const rows = await rowsOf()
    for (const name of ["users", "orders"]) {
      const reports = runs.map((run) => shardOf(run, name))
      const loaded = reports.filter((shard) => shard !== undefined && shard.error === null && shard.counts.inserted > 0)
      expect(loaded).toHaveLength(1)
      const valid = (loaded[0]?.counts.processed ?? 0) - (loaded[0]?.counts.invalid ?? 0)
      expect(rows[name]).toBe(valid)
      for (const other of reports.filter((shard) => !loaded.includes(shard))) {
        // Either it came too late and found every record there already, or it gave up on the lock.
        if (other?.error === null) expect(other.counts).toMatchObject({ inserted: 0, failed: valid })
        else expect(other?.error?.message).toMatch(/^lock failed for shard \w+ \(.*\): locked by process \d+ on .* since \S+Z/)
      }
    }
    for (const run of runs) {
      const gaveUp = reportOf(run).shards.some((shard) => shard.error !== null)
      expect(run.code).toBe(gaveUp ? 1 : 0)
    }
  })
})
