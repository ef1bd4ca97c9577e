import { execFileSync, spawn } from "node:child_process"
import { existsSync, openSync } from "node:fs"
import { link, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { type CliRun, cliPath, runCli } from "./testing.ts"

// End to end, the built CLI against files that are not what they should be: FIFOs, links,
// damaged SQLite files, paths that cannot be created, a report aimed at a file the run needs.
// Every command ends, or is ended by Ctrl-C or SIGTERM, in bounded time, says what is wrong,
// and changes none of those files.

let dir = ""
let dataDir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-hostile-"))
  dataDir = join(dir, "data")
})
afterEach(() => rm(dir, { recursive: true, force: true }))

/** Longest any command here may take; the hangs these tests guard against last forever. */
const BOUND_MS = 20_000

/** The CLI as a process that the test can signal; killed with SIGKILL if it outlives BOUND_MS. */
const startCli = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) => {
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, INIT_CWD: "", ...env }, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  const started = Date.now()
  const deadline = setTimeout(() => child.kill("SIGKILL"), BOUND_MS)
  const done = new Promise<CliRun & { readonly ms: number; readonly signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(deadline)
      resolve({ code: code ?? -1, signal, stdout, stderr, ms: Date.now() - started })
    })
  })
  return { child, stderr: () => stderr, done }
}

/** Runs the CLI to its end, within BOUND_MS (a run that needed SIGKILL fails the test). */
const bounded = async (args: ReadonlyArray<string>, env?: Readonly<Record<string, string>>) => {
  const run = await startCli(args, env).done
  expect(run.signal, `${args.join(" ")} had to be killed: ${run.stderr}`).toBeNull()
  return run
}

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + BOUND_MS
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Every entry under `at`: a regular file's bytes, a link's target, else its kind (reading a FIFO would block). */
const snapshot = async (at: string): Promise<Record<string, unknown>> => {
  const entries: Record<string, unknown> = {}
  for (const name of (await readdir(at)).sort()) {
    const path = join(at, name)
    const found = await lstat(path)
    if (found.isDirectory()) for (const [inner, value] of Object.entries(await snapshot(path))) entries[`${name}/${inner}`] = value
    else entries[name] = found.isSymbolicLink() ? `-> ${await readlink(path)}` : found.isFile() ? await readFile(path) : found.isFIFO() ? "FIFO" : "other"
  }
  return entries
}

const mkfifo = (path: string) => execFileSync("mkfifo", [path])
const usersLine = (id: number) => JSON.stringify({ id, name: `User ${id}`, email: `user${id}@example.com` })

describe("a FIFO where a shard file should be", () => {
  it.each([
    ["populate", ["populate", "--quiet", "--shard", "users"]],
    ["migrate", ["migrate", "--shard", "users"]],
    ["check", ["check", "--shard", "users"]],
    ["shards", ["shards", "--shard", "users"]],
    ["list", ["list", "User"]],
    ["get", ["get", "User", "1"]]
  ])("%s ends at once, exit 1, saying the shard file is a FIFO, and leaves it", async (_, args) => {
    await mkdir(dataDir)
    mkfifo(join(dataDir, "users.db"))
    const run = await bounded([...args, "--data-dir", dataDir])
    expect(run.code).toBe(1)
    expect(`${run.stdout}${run.stderr}`).toContain("is a FIFO (named pipe), not a regular file")
    expect(await snapshot(dataDir)).toEqual({ "users.db": "FIFO" })
  })
})

describe("a FIFO as an input", () => {
  it.each([
    ["SIGINT", "off"],
    ["SIGTERM", "off"],
    ["SIGINT", "on"],
    ["SIGTERM", "on"]
  ] as const)("with no writer: %s (--workers %s) ends the waiting run with exit 130, releasing its lock", async (signal, workers) => {
    const fifo = join(dir, "users.ndjson")
    mkfifo(fifo)
    const running = startCli(["populate", "--quiet", "--data-dir", dataDir, "--workers", workers, "--input", `users=${fifo}`])
    await waitFor("the lock", () => existsSync(join(dataDir, "users.db.lock")))
    // Long enough for the reader to be waiting on the FIFO.
    await new Promise((resolve) => setTimeout(resolve, 500))
    running.child.kill(signal)
    const run = await running.done
    expect(run.signal, run.stderr).toBeNull()
    expect(run.code).toBe(130)
    expect(await readdir(dataDir)).toEqual([])
  })

  it("is read once a writer comes, to its end", async () => {
    const fifo = join(dir, "users.ndjson")
    mkfifo(fifo)
    const running = startCli(["populate", "--json", "--quiet", "--data-dir", dataDir, "--input", `users=${fifo}`])
    await waitFor("the lock", () => existsSync(join(dataDir, "users.db.lock")))
    await new Promise((resolve) => setTimeout(resolve, 300))
    await writeFile(fifo, `${usersLine(1)}\n${usersLine(2)}\n`)
    const run = await running.done
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).shards[0].counts).toMatchObject({ processed: 2, inserted: 2 })
  })
})

describe.skipIf(!existsSync("/proc/self"))("a directory that can never be created", () => {
  it("generate --out /proc/x fails at once, naming it", async () => {
    // One shard that can generate records: the directory is what fails, whatever is registered.
    const run = await bounded(["generate", "--count", "10", "--shard", "users", "--out", "/proc/distributed-insert-test"])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("creating its directory: ENOENT: no such file or directory, mkdir '/proc/distributed-insert-test'")
  })

  it("populate --data-dir /proc/x fails every shard at once, naming it", async () => {
    const run = await bounded(["populate", "--quiet", "--data-dir", "/proc/distributed-insert-test"])
    expect(run.code).toBe(1)
    for (const { name } of shards) {
      expect(run.stderr).toContain(`shard ${name}: lock failed for shard ${name} (/proc/distributed-insert-test/${name}.db): ENOENT`)
    }
  })
})

describe("populate --report aimed at a file the run needs", () => {
  const input = () => join(dir, "users.ndjson")
  beforeEach(async () => {
    expect((await runCli(["populate", "--quiet", "--data-dir", dataDir])).code).toBe(0)
    await writeFile(input(), `${usersLine(100)}\n`)
  })

  it.each([
    ["another shard's file, not selected", () => ["--report", join(dataDir, "products.db")], "it is the shard file of products"],
    ["the loaded shard's lock file", () => ["--report", join(dataDir, "users.db.lock")], "it is the lock file of shard users"],
    ["a shard's journal name", () => ["--report", join(dataDir, "orders.db-journal")], "it is SQLite's rollback journal of shard orders"],
    ["the input, written another way", () => ["--report", `${dir}/./users.ndjson`], "it is an input of this run"]
  ])("refuses %s: exit 1, nothing loaded, no file changed", async (_, args, why) => {
    const before = await snapshot(dir)
    const run = await bounded(["populate", "--quiet", "--data-dir", dataDir, "--input", `users=${input()}`, ...args()])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(why)
    expect(await snapshot(dir)).toEqual(before)
  })

  it("refuses the configuration file that places the databases: exit 1, nothing loaded, no file changed", async () => {
    const config = join(dir, "shop.config.json")
    await writeFile(config, JSON.stringify({ dataDir: "data" }))
    const before = await snapshot(dir)
    const run = await bounded(["populate", "--quiet", "--config", config, "--input", `users=${input()}`, "--report", config])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`it is an input of this run (${config})`)
    expect(await snapshot(dir)).toEqual(before)
  })

  it("leaves alone the report of the same command still running: exit 1, nothing loaded, its report and lock as they were", async () => {
    const fifo = join(dir, "more.ndjson")
    mkfifo(fifo)
    const report = join(dir, "report.ndjson")
    const first = startCli(["populate", "--quiet", "--data-dir", dataDir, "--format", "ndjson", "--input", `users=${fifo}`, "--report", report])
    await waitFor("the first run's report", () => existsSync(report))
    // Long enough for it to have emptied its report and to be waiting on the FIFO.
    await new Promise((resolve) => setTimeout(resolve, 300))
    // As if its first checkpoint had reported: what a second run must not empty.
    await writeFile(report, `${JSON.stringify({ shard: "users", checkpoint: { through: 0 } })}\n`)
    const before = await snapshot(dir)
    const second = await bounded(["populate", "--quiet", "--data-dir", dataDir, "--input", `users=${input()}`, "--report", report])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/lock failed for shard users .*locked by process .*nothing was loaded and the report was left as it was/)
    expect(await snapshot(dir)).toEqual(before)
    first.child.kill("SIGINT")
    expect((await first.done).code).toBe(130)
  })

  it("refuses the file that is standard input, reached through a link", async () => {
    await symlink(input(), join(dir, "report.ndjson"))
    const before = await snapshot(dir)
    const child = spawn(process.execPath, [cliPath, "populate", "--quiet", "--data-dir", dataDir, "--input", "users=-", "--report", join(dir, "report.ndjson")], {
      env: { ...process.env, INIT_CWD: "" },
      stdio: [openSync(input(), "r"), "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
    expect(code).toBe(1)
    expect(stderr).toContain("it is an input of this run (standard input)")
    expect(await snapshot(dir)).toEqual(before)
  })
})

describe("a shard file reached through a symbolic link", () => {
  it("is refused by populate, which leaves the link and its target as they were, and check says why", async () => {
    expect((await runCli(["populate", "--quiet", "--data-dir", dataDir])).code).toBe(0)
    const elsewhere = join(dir, "elsewhere")
    await mkdir(elsewhere)
    await link(join(dataDir, "users.db"), join(elsewhere, "users.db"))
    await rm(join(dataDir, "users.db"))
    await symlink(join(elsewhere, "users.db"), join(dataDir, "users.db"))
    const before = await snapshot(dir)

    const run = await bounded(["populate", "--quiet", "--data-dir", dataDir, "--shard", "users"])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("it is a symbolic link, not a regular file")
    expect(await snapshot(dir)).toEqual(before)

    const checked = await bounded(["check", "--data-dir", dataDir, "--shard", "users"])
    expect(checked.code).toBe(1)
    expect(checked.stdout).toContain("users: cannot open: it is a symbolic link")
  })
})

describe("a shard file that opens but fails SQLite's integrity check", () => {
  it("is refused by populate and migrate, exit 1, byte for byte as it was; the other shards load", async () => {
    // Enough users for a few pages, then one leaf page's cell pointers aimed past the page.
    const many = Array.from({ length: 2000 }, (_, index) => usersLine(index + 1)).join("\n")
    await writeFile(join(dir, "many.ndjson"), many)
    expect((await runCli(["populate", "--quiet", "--data-dir", dataDir, "--input", `users=${join(dir, "many.ndjson")}`])).code).toBe(0)
    const file = await readFile(join(dataDir, "users.db"))
    file.set([0x0f, 0xff, 0x0f, 0xff], 5 * 4096 + 8)
    await writeFile(join(dataDir, "users.db"), file)
    // It opens (the schema reads), but SQLite's check finds it damaged.
    expect((await bounded(["shards", "--data-dir", dataDir, "--shard", "users"])).code).toBe(0)
    const checked = await bounded(["check", "--json", "--data-dir", dataDir, "--shard", "users"])
    expect(JSON.parse(checked.stdout).shards[0].integrity).not.toBe("ok")
    const before = await snapshot(dataDir)

    const populated = await bounded(["populate", "--json", "--quiet", "--data-dir", dataDir, "--input", `users=${join(dir, "many.ndjson")}`])
    expect(populated.code).toBe(1)
    expect(JSON.parse(populated.stdout).shards[0].error.message).toContain("it fails SQLite's integrity check")
    const migrated = await bounded(["migrate", "--data-dir", dataDir])
    expect(migrated.code).toBe(1)
    expect(migrated.stdout).toMatch(/users .*failed: it fails SQLite's integrity check/)
    expect(migrated.stdout).toMatch(/products .*applied Product v1/)
    const after = await snapshot(dataDir)
    expect(after["users.db"]).toEqual(before["users.db"])
  })
})

describe("DISTRIBUTED_INSERT_DATA_DIR", () => {
  it("set but empty means unset: the data go to ./data, not into the current directory", async () => {
    const run = await bounded(["populate", "--quiet", "--shard", "users"], { DISTRIBUTED_INSERT_DATA_DIR: "", INIT_CWD: dir })
    expect(run.code).toBe(0)
    expect(await readdir(dir)).toEqual(["data"])
    expect(await readdir(join(dir, "data"))).toEqual(["users.db"])
  })
})
