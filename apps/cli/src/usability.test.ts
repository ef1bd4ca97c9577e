import { execFile, execFileSync } from "node:child_process"
import { mkdir, mkdtemp, readdir, rm, stat, symlink, utimes, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { cliPath, runCli } from "./testing.ts"
import { databaseFileOf, expectedSampleLoad, expectedSampleLoads, totalCounts, totalsLine } from "./testing-registry.ts"

// What a user runs into besides the happy path: summaries, listings, bad usage, hostile data,
// a temp folder that is missing or full, a reader that goes away, and how the CLI is started.

let dir = ""
let dataDir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-usability-"))
  dataDir = join(dir, "data")
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => runCli([...args, "--data-dir", dataDir], { env })

describe("populate's summary", () => {
  /** A second load of every sample, where each valid record finds its key taken. */
  const loadedAgain = (onConflict: "replace" | "skip") => expectedSampleLoads(shards, { into: "loaded", onConflict })
  /** A shard's line in the summary, as a pattern: `  users (User)   0/10 successful, 9 replaced`. */
  const shardLine = (shard: string, model: string, successful: string) => new RegExp(`^ {2}${shard} \\(${model}\\) +${successful}$`, "m")

  it("--on-conflict replace: each shard's line counts as the totals do, replaced records apart from inserted ones", async () => {
    await run(["populate"])
    const again = await run(["populate", "--on-conflict", "replace"])
    expect(again.code).toBe(0)
    const expected = loadedAgain("replace")
    for (const { shard, model, counts } of expected) {
      expect(again.stdout).toMatch(shardLine(shard, model, `${counts.inserted}/${counts.processed} successful, ${counts.replaced} replaced`))
    }
    const totals = totalCounts(expected)
    expect(again.stdout).toContain("Successful insertions:   0 (0.0% success rate)")
    expect(again.stdout).toContain(totalsLine("Replaced", totals.replaced, totals.processed))
    expect(again.stdout).toContain(totalsLine("Validation failures", totals.invalid, totals.processed))
  })

  it("--on-conflict skip: skipped records are counted on each shard's line and in the totals", async () => {
    await run(["populate"])
    const again = await run(["populate", "--on-conflict", "skip"])
    const expected = loadedAgain("skip")
    for (const { shard, model, counts } of expected) {
      expect(again.stdout).toMatch(shardLine(shard, model, `${counts.inserted}/${counts.processed} successful, ${counts.skipped} skipped`))
    }
    const totals = totalCounts(expected)
    expect(again.stdout).toContain(totalsLine("Skipped (key taken)", totals.skipped, totals.processed))
  })
})

describe("shards", () => {
  it("with one corrupt shard file, lists every shard, the broken one with its problem, and exits 1", async () => {
    await run(["populate"])
    await writeFile(join(dataDir, "products.db"), "this is not a SQLite database\n".repeat(40))
    const listed = await run(["shards"])
    expect(listed.code).toBe(1)
    expect(listed.stdout).toMatch(/^SHARD +MODEL +ENGINE +LOCATION +ROWS +SCHEMA +PROBLEM$/m)
    expect(listed.stdout).toMatch(/^products +Product +sqlite +\S*products\.db +- +- +file is not a database$/m)
    for (const shard of shards.filter(({ name }) => name !== "products")) {
      const version = shard.migrations.length
      const rows = expectedSampleLoad(shard).rows
      expect(listed.stdout).toMatch(new RegExp(`^${shard.name} +${shard.model} +sqlite +\\S*${shard.name}\\.db +${rows} +${version}/${version}$`, "m"))
    }
    expect(listed.stderr).toContain("cannot read shard products")
    const json = await run(["shards", "--json"])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).shards.map((shard: { shard: string; rows: number | null; problem: string | null }) => [shard.shard, shard.rows, shard.problem])).toEqual(
      shards.map((shard) => (shard.name === "products" ? ["products", null, "file is not a database"] : [shard.name, expectedSampleLoad(shard).rows, null]))
    )
  })
})

describe("list and get before a shard has data", () => {
  it("say that the shard has no data yet, instead of SQLite's 'no such table'", async () => {
    const list = await run(["list", "Order"])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^Order: shard orders has no data yet: .*orders\.db does not exist \(populate or migrate creates it\)$/m)
    expect(list.stdout + list.stderr).not.toContain("no such table")
    expect(JSON.parse((await run(["list", "Order", "--json"])).stdout)).toEqual([])
    const get = await run(["get", "Order", "1"])
    expect(get.code).toBe(1)
    expect(get.stderr).toMatch(/^error: Order 1 not found: shard orders has no data yet/)
    // Migrated but empty: the table is there, with no rows.
    await run(["migrate"])
    expect((await run(["list", "Order"])).stdout).toContain("(no rows)")
  })
})

describe("bad usage exits 2 and says what is expected", () => {
  it.each([
    [["list", "User", "--limit", "-1"], "--limit takes a whole number, 1 or more, not '-1'"],
    [["list", "User", "--limit", "0"], "--limit takes a whole number, 1 or more, not '0'"],
    [["populate", "--batch-size", "0"], "--batch-size takes a whole number, 1 or more, not '0'"],
    [["populate", "--batch-size", "-5"], "--batch-size takes a whole number, 1 or more, not '-5'"],
    [["populate", "--batch-size", "ten"], "--batch-size takes a whole number, 1 or more, not 'ten'"],
    [["populate", "--checkpoint-records", "1.5"], "--checkpoint-records takes a whole number, 0 or more, not '1.5'"],
    [["populate", "--wait-lock", "-1"], "--wait-lock takes a number of seconds, 0 or more, not '-1'"],
    [["generate", "--count", "x", "--out", "gen"], "--count takes a whole number, 0 or more, not 'x'"],
    [["populate", "--format", "xml"], "--format takes one of ndjson, json, csv, not 'xml'"],
    [["populate", "--batch-size", "1", "--batch-size", "2"], "--batch-size can be given only once"],
    [["list", "User", "--limit"], "--limit needs a value"]
  ])("%j", async (args, message) => {
    // generate takes no --data-dir: given the one `run` adds, it is refused for that first (effect/cli
    // reports the flags it does not know before it reads the values of those it does).
    const result = args[0] === "generate" ? await runCli(args) : await run(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).not.toContain("a integer")
    expect(result.stderr).toMatch(/See 'distributed-insert \w+ --help'\./)
  })

  it("--shard that names another shard than --input is a contradiction, not a filter to ignore", async () => {
    const orders = join(dir, "orders.ndjson")
    await writeFile(orders, '{"id":1,"user_id":1,"product_id":1,"quantity":1}\n')
    const result = await run(["populate", "--shard", "users", "--input", `orders=${orders}`])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--shard users has no --input")
    expect(await readdir(dataDir).catch(() => [])).toEqual([])
    // The same shard named both ways is fine.
    expect((await run(["populate", "--shard", "Order", "--input", `orders=${orders}`])).code).toBe(0)
  })
})

describe("control characters in data", () => {
  // An OSC 52 clipboard write, a screen clear, a bell, a carriage return, an 8-bit CSI (C1) and a right-to-left override.
  const hostile = ["\u001b]52;c;aGVsbG8=\u0007", "\u001b[2Jgone", "bell\u0007", "over\rwrite", "\u009b31mred", "\u202eevil"]
  // biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are what must not be printed
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/

  beforeEach(async () => {
    const input = join(dir, "users.ndjson")
    await writeFile(input, hostile.map((name, index) => JSON.stringify({ id: index + 1, name, email: `${index}@example.com` })).join("\n"))
    const loaded = await run(["populate", "--input", `users=${input}`])
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).not.toMatch(raw)
    // The report shows the record as JSON, whose own escapes cover C0; C1 and the override are escaped besides.
    expect(loaded.stdout).toContain('"name":"\\u001b]52;c;aGVsbG8=\\u0007"')
    expect(loaded.stdout).toContain("\\x9b31mred")
    expect(loaded.stdout).toContain("\\u202eevil")
  })

  it("are escaped in the report, list and get, and kept exact in JSON", async () => {
    const list = await run(["list", "User"])
    expect(list.stdout).not.toMatch(raw)
    expect(list.stdout).toContain("\\x1b]52;c;aGVsbG8=\\x07")
    expect(list.stdout).toContain("over\\rwrite")
    expect(list.stdout).toContain("\\u202eevil")
    const get = await run(["get", "User", "2"])
    expect(get.stdout).toMatch(/^name +\\x1b\[2Jgone$/m)
    const json = await run(["list", "User", "--json"])
    expect(JSON.parse(json.stdout).map((row: { name: string }) => row.name)).toEqual(hostile)
    expect(JSON.parse((await run(["get", "User", "3", "--json"])).stdout).name).toBe("bell\u0007")
  })
})

describe("the temp folder", () => {
  it("missing: one clean line, exit 1, nothing loaded", async () => {
    const result = await run(["populate"], { TMPDIR: join(dir, "no-such-dir") })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split("\n")).toEqual([
      `error: cannot use the temp folder ${join(dir, "no-such-dir")} (set by TMPDIR, or the system default): it does not exist`
    ])
    expect(await readdir(dataDir).catch(() => [])).toEqual([])
  })

  it("full: one clean line, exit 1, no EBADF (needs root to mount a tmpfs; skipped otherwise)", async (context) => {
    const full = join(dir, "full")
    await mkdir(full)
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", full], { stdio: "ignore" })
    } catch {
      context.skip()
    }
    try {
      await writeFile(join(full, "filler"), Buffer.alloc(60 * 1024)).catch(() => {})
      const result = await run(["populate"], { TMPDIR: full })
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).toMatch(/^error: cannot use the temp folder .* it is full \(\d+ kB free\)$/m)
      expect(result.stderr).not.toContain("EBADF")
    } finally {
      execFileSync("umount", [full])
    }
  })

  it("filling up during the load: the shard fails once, saying why once, and leaves no lock and no temp folder (needs root; skipped otherwise)", async (context) => {
    const full = join(dir, "filling")
    await mkdir(full)
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=5m", "tmpfs", full], { stdio: "ignore" })
    } catch {
      context.skip()
    }
    try {
      // Rejected records of 2 kB each: their log outgrows the 5 MB left, a megabyte at a time.
      const input = join(dir, "users.ndjson")
      const email = "x".repeat(2000)
      await writeFile(input, Array.from({ length: 4000 }, (_, i) => JSON.stringify({ id: i + 1, name: "", email })).join("\n"))
      const result = await run(["populate", "--quiet", "--input", `users=${input}`], { TMPDIR: full })
      expect(result.code).toBe(1)
      const lines = result.stderr.trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^error: shard users: cannot write results to [^;]*: ENOSPC: no space left on device, write$/)
      expect(result.stderr).not.toContain("EBADF")
      expect((await readdir(dataDir).catch(() => [])).filter((name) => name.includes(".lock"))).toEqual([])
      expect(await readdir(full)).toEqual([])
    } finally {
      execFileSync("umount", [full])
    }
  })
})

describe("a reader that goes away (EPIPE)", () => {
  it("`populate --json | head -c 10` leaves no lock files and no temp folder", async () => {
    // Enough rejected records for a report of megabytes: the pipe fills, and head has gone by then.
    const input = join(dir, "users.ndjson")
    await writeFile(input, Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: i + 1, name: "", email: "" })).join("\n"))
    const runTmp = join(dir, "tmp")
    await mkdir(runTmp)
    const script = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} populate --json --data-dir ${JSON.stringify(dataDir)} --input users=${JSON.stringify(input)} | head -c 10; echo " \${PIPESTATUS[0]}"`
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile("bash", ["-c", script], { env: { ...process.env, TMPDIR: runTmp, INIT_CWD: "" } }, (error, out) => (error ? reject(error) : resolve({ stdout: out })))
    )
    expect(stdout).toBe('{"startedA 0\n')
    expect((await readdir(dataDir)).filter((name) => name.includes(".lock"))).toEqual([])
    expect(await readdir(runTmp)).toEqual([])
  })
})

describe("starting the CLI", () => {
  const repoRoot = fileURLToPath(new URL("../../..", import.meta.url))
  const bin = fileURLToPath(new URL("../bin/distributed-insert.mjs", import.meta.url))

  const pnpm = (args: ReadonlyArray<string>) =>
    new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((resolve, reject) => {
      const started = Date.now()
      execFile("pnpm", args, { cwd: repoRoot, env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" } }, (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") return reject(error)
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr, ms: Date.now() - started })
      })
    })

  it("`pnpm --filter cli start shards --json` prints only the JSON on stdout, fast once built", async () => {
    await run(["populate"])
    const result = await pnpm(["--filter", "cli", "start", "shards", "--json", "--data-dir", dataDir])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).shards.map((shard: { rows: number }) => shard.rows)).toEqual(expectedSampleLoads(shards).map((load) => load.rows))
    // Built by the test script already: no build on the way (pnpm itself takes most of the time).
    expect(result.stderr).not.toContain("building the CLI")
    expect(result.ms).toBeLessThan(4000)
  })

  it("keeps pnpm's exit code the CLI's, and pnpm's own banner and error lines off", async () => {
    const result = await pnpm(["--filter", "cli", "start", "list", "Nope", "--data-dir", dataDir])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain('unknown shard or model "Nope"')
    expect(result.stderr).not.toContain("ERR_PNPM")
  })

  it("the binary runs from a link on the PATH, anywhere, with paths relative to where it runs; a touched but unchanged source does not rebuild it", async () => {
    const onPath = join(dir, "bin")
    await mkdir(onPath)
    await symlink(bin, join(onPath, "distributed-insert"))
    const built = (await stat(cliPath)).mtimeMs
    const now = new Date()
    await utimes(fileURLToPath(new URL("./plugins.ts", import.meta.url)), now, now)
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        "distributed-insert",
        ["populate", "--quiet", "--data-dir", "here"],
        { cwd: dir, env: { ...process.env, PATH: `${onPath}:${process.env["PATH"] ?? ""}`, INIT_CWD: "" } },
        (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr }))
      )
    )
    expect(result.stdout).toContain("users (User) → here/users.db")
    expect(result.stderr).not.toContain("building the CLI")
    expect((await readdir(join(dir, "here"))).sort()).toEqual(shards.map(databaseFileOf).sort())
    expect((await stat(cliPath)).mtimeMs).toBe(built)
  })
})
