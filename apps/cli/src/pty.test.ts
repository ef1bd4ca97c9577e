import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { cliPath, runCli } from "./testing.ts"
import { CURSOR_MOVES, quote, runInPty, SGR, startInPty, waitUntil } from "./testing-pty.ts"
import { expectedSampleLoads, totalCounts, totalsLine } from "./testing-registry.ts"

// The CLI at a real (pseudo-)terminal, where stderr is a TTY and the progress board is drawn:
// every other test pipes stderr, which is how the quick start's hang at a terminal once went
// unnoticed. `script` (util-linux) provides the terminal.

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url))
const node = quote(process.execPath)
const cli = `${node} ${quote(cliPath)}`

let dir = ""
/** A temp folder of the runs' own, to see that they leave nothing in it. */
let runTmp = ""
let users = ""
let orders = ""
/**
 * A shorter load, run to its end where a test needs to see the whole of it: the first 300,000
 * orders, a couple of seconds on a quiet machine (150,000 once took several, under load and on
 * Effect 3; on Effect 4 and a quiet machine they took one, too short for the board to redraw
 * more than three times or to show an ETA).
 */
let someOrders = ""

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-pty-"))
  runTmp = join(dir, "tmp")
  await mkdir(runTmp)
  // 600,000 records per shard: a load that takes a while at a terminal.
  const generated = await runCli(["generate", "--count", "600000", "--shard", "users", "--shard", "orders", "--out", join(dir, "gen")])
  expect(generated.code).toBe(0)
  users = join(dir, "gen", "users.ndjson")
  orders = join(dir, "gen", "orders.ndjson")
  someOrders = join(dir, "gen", "some-orders.ndjson")
  const lines = (await readFile(orders, "utf8")).split("\n").slice(0, 300_000)
  await writeFile(someOrders, `${lines.join("\n")}\n`)
}, 120_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const freshDataDir = async (name: string) => {
  const path = join(dir, name)
  await rm(path, { recursive: true, force: true })
  return path
}

const leftovers = async (dataDir: string) => ({
  locks: (await readdir(dataDir).catch(() => [])).filter((name) => name.includes(".lock")),
  // pnpm keeps a cache of its own there (v8-compile-cache-0): only the runs' folders count.
  temp: (await readdir(runTmp)).filter((name) => name.startsWith("distributed-insert-"))
})

/** The frames of the progress board: the text between the redraws, one array of lines each. */
const frames = (output: string): Array<Array<string>> =>
  output
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the board's redraw sequence
    .split(/\r\u001b\[\d+A\u001b\[0J/)
    .map((frame) => frame.split("\r\n").filter((line) => /^\w+ +(?:[✓✗] +)?[\d,]+ records/.test(line)))
    .filter((lines) => lines.length > 0)

describe("at a terminal", () => {
  it("the quick start, run as the README says, completes and prints the summary", async () => {
    const dataDir = await freshDataDir("quick-start")
    const run = await runInPty(`pnpm --filter cli start populate --data-dir ${quote(dataDir)}`, {
      cwd: repoRoot,
      env: { TMPDIR: runTmp, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" },
      timeoutMs: 45_000
    })
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(0)
    // Every registered shard's sample (the seed's alone: 26 of 30, 86.7%, no database error).
    const { processed, inserted, failed } = totalCounts(expectedSampleLoads(shards))
    expect(run.output).toContain(totalsLine("Successful insertions", inserted, processed, " success rate"))
    // The summary is the last thing shown: no progress redrawn after it.
    expect(run.output.trimEnd().endsWith(totalsLine("Database errors", failed, processed))).toBe(true)
    expect(await leftovers(dataDir)).toEqual({ locks: [], temp: [] })
  }, 60_000)

  it("a long load draws per-shard progress on stderr, marks a finished shard done with its rate frozen, and erases it all before the report", async () => {
    const dataDir = await freshDataDir("progress")
    const run = await runInPty(`${cli} populate --data-dir ${quote(dataDir)} --input orders=${quote(someOrders)} --workers off`, {
      env: { TMPDIR: runTmp },
      timeoutMs: 120_000
    })
    expect(run.code).toBe(0)
    const drawn = frames(run.output)
    expect(drawn.length).toBeGreaterThan(3)
    // A percentage of the input's bytes, said to be bytes.
    const loading = drawn.flat().filter((line) => /\d+% of \d+\.\d MB/.test(line))
    expect(loading.length).toBeGreaterThan(0)
    // An ETA on every line of a load past its first second (records / rate), short of 100%. A fast
    // machine loads these orders in under a second, so whether such a line exists is not asserted
    // (the CI once failed on it): renderRow's own test shows the ETA deterministically.
    const pastFirstSecond = loading.filter((line) => {
      const [, seen = "0", rate = "1", percent = "0"] = / ([\d,]+) records +([\d,]+)\/s +(\d+)%/.exec(line) ?? []
      const number = (text: string) => Number(text.replaceAll(",", ""))
      return number(seen) / number(rate) >= 1.2 && number(percent) < 100 && !line.includes("writing file")
    })
    for (const line of pastFirstSecond) expect(line).toMatch(/ETA \d+:\d\d$/)
    // The report comes after the last redraw, and nothing of the board follows it.
    const report = run.output.indexOf("orders (Order) ← ")
    expect(run.output.lastIndexOf("\u001b[0J")).toBeLessThan(report)
    expect(run.output.slice(report)).not.toMatch(CURSOR_MOVES)
    expect(await leftovers(dataDir)).toEqual({ locks: [], temp: [] })
  }, 150_000)

  it("with worker threads, a load from files completes, erases the board and prints the report", async () => {
    const dataDir = await freshDataDir("workers")
    const run = await runInPty(`${cli} populate --data-dir ${quote(dataDir)} --input orders=${quote(someOrders)} --workers on`, {
      env: { TMPDIR: runTmp },
      timeoutMs: 120_000
    })
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(0)
    expect(frames(run.output).length).toBeGreaterThan(0)
    const report = run.output.indexOf("orders (Order) ← ")
    expect(report).toBeGreaterThan(-1)
    expect(run.output.lastIndexOf("\u001b[0J")).toBeLessThan(report)
    expect(run.output.slice(report)).not.toMatch(CURSOR_MOVES)
    expect(run.output).toMatch(/Total records processed: +300,000\r?\n/)
    expect(await leftovers(dataDir)).toEqual({ locks: [], temp: [] })
  }, 150_000)

  it("the count moves with the records read, before their 10,000-record batch is complete", async () => {
    const dataDir = await freshDataDir("within-batch")
    const lines = (await readFile(someOrders, "utf8")).split("\n")
    // The input stops after 15,500 records until the board has shown them: the second batch is
    // half gathered, and stays so, whatever the speed or the load of the machine.
    const fifo = join(dir, "orders.fifo")
    await rm(fifo, { force: true })
    execFileSync("mkfifo", [fifo])
    const session = startInPty(`${cli} populate --data-dir ${quote(dataDir)} --input orders=- --workers off < ${quote(fifo)}`, {
      env: { TMPDIR: runTmp },
      timeoutMs: 90_000
    })
    const input = await open(fifo, "w")
    try {
      await input.write(`${lines.slice(0, 15_500).join("\n")}\n`)
      await waitUntil("the board to show 15,500 records", () => / 15,500 records /.test(session.output()), 60_000)
      await input.write(`${lines.slice(15_500, 20_000).join("\n")}\n`)
    } finally {
      await input.close()
    }
    const run = await session.done
    expect(run.code).toBe(0)
    const counts = frames(run.output).flatMap((lines) => lines.map((line) => Number((/ ([\d,]+) records /.exec(line)?.[1] ?? "0").replaceAll(",", ""))))
    expect(counts).toContain(15_500)
    expect(run.output).toMatch(/Total records processed: +20,?000\r?\n/)
  }, 120_000)

  it("with two shards, the one that finishes is marked done and its rate stays frozen while the other loads", async () => {
    const dataDir = await freshDataDir("done-mark")
    const small = join(dir, "small-users.ndjson")
    const lines = (await readFile(users, "utf8")).split("\n").slice(0, 20_000).join("\n")
    await writeFile(small, `${lines}\n`)
    const run = await runInPty(
      `${cli} populate --data-dir ${quote(dataDir)} --input users=${quote(small)} --input orders=${quote(someOrders)} --workers off --batch-size 1000`,
      { env: { TMPDIR: runTmp }, timeoutMs: 120_000 }
    )
    expect(run.code).toBe(0)
    const finished = frames(run.output)
      .map((lines) => lines.find((line) => line.startsWith("users ") && line.includes("done in")))
      .filter((line): line is string => line !== undefined)
    expect(finished.length).toBeGreaterThan(1)
    expect(finished[0]).toMatch(/^users +✓ +20,000 records +[\d,]+\/s {2}done in \d+\.\d s$/)
    expect(new Set(finished).size).toBe(1)
  }, 150_000)

  it("lines are cut to the terminal's width, and a narrower terminal gets no wrapped lines", async () => {
    const dataDir = await freshDataDir("narrow")
    const run = await runInPty(`stty cols 40 rows 20; ${cli} populate --data-dir ${quote(dataDir)} --input orders=${quote(someOrders)} --workers off`, {
      env: { TMPDIR: runTmp },
      timeoutMs: 120_000
    })
    expect(run.code).toBe(0)
    const drawn = frames(run.output).flat()
    expect(drawn.length).toBeGreaterThan(0)
    for (const line of drawn) expect([...line].length).toBeLessThan(40)
    expect(drawn.some((line) => line.endsWith("…"))).toBe(true)
  }, 150_000)

  it.each([["off"], ["on"]] as const)(
    "Ctrl-C stops a 600,000-record load within seconds (--workers %s): exit 130, no lock, no temp folder, a consistent --report",
    async (workers) => {
      const dataDir = await freshDataDir(`ctrl-c-${workers}`)
      const reportFile = join(dir, `ctrl-c-${workers}.ndjson`)
      const session = startInPty(
        `${cli} populate --data-dir ${quote(dataDir)} --input users=${quote(users)} --input orders=${quote(orders)} --workers ${workers} --report ${quote(reportFile)} --checkpoint-records 50000`,
        { env: { TMPDIR: runTmp }, timeoutMs: 120_000 }
      )
      // Well into the load: the board shows records loading.
      await waitUntil("progress", () => /[1-9][\d,]* records/.test(session.output()), 60_000)
      const pressed = session.elapsed()
      session.type("\u0003")
      const run = await session.done
      expect(run.timedOut).toBe(false)
      expect(run.code).toBe(130)
      expect(run.endedAt - pressed).toBeLessThan(5000)
      // The board is erased; what stays is "interrupted" and a line a shard saying what is durable.
      const said = run.output.slice(run.output.lastIndexOf("interrupted")).trimEnd().split(/\r?\n/)
      expect(said[0]).toBe("interrupted")
      expect(run.output).not.toContain("Final Output Analysis")
      expect(await leftovers(dataDir)).toEqual({ locks: [], temp: [] })
      // Every line of the report is whole, and no record is reported past its shard's last checkpoint.
      const lines = (await readFile(reportFile, "utf8")).split("\n").filter((line) => line !== "")
      const parsed = lines.map((line): { shard: string; position?: number; checkpoint?: { through: number } } => JSON.parse(line))
      for (const shard of ["users", "orders"]) {
        const own = parsed.filter((line) => line.shard === shard)
        const through = Math.max(0, ...own.flatMap((line) => (line.checkpoint === undefined ? [] : [line.checkpoint.through])))
        const positions = own.flatMap((line) => (line.position === undefined ? [] : [line.position]))
        expect(positions).toEqual(Array.from({ length: through }, (_, index) => index + 1))
        const line = said.find((candidate) => candidate.trimStart().startsWith(`${shard} `))
        const durable = line?.match(/done: ([\d,]+) records|records 1-([\d,]+) of its input are durable/)
        const stated = line?.includes("no record of this run is durable") ? 0 : Number((durable?.[1] ?? durable?.[2] ?? "").replaceAll(",", ""))
        expect(stated, `${shard}: ${line}`).toBe(through)
      }
    },
    150_000
  )

  it("Ctrl-C through `pnpm --filter cli start` (which sends its own SIGINT too) still stops cleanly with 130", async () => {
    const dataDir = await freshDataDir("ctrl-c-pnpm")
    const session = startInPty(
      `pnpm --filter cli start populate --data-dir ${quote(dataDir)} --input users=${quote(users)} --input orders=${quote(orders)} --workers off`,
      { cwd: repoRoot, env: { TMPDIR: runTmp, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" }, timeoutMs: 120_000 }
    )
    await waitUntil("progress", () => /[1-9][\d,]* records/.test(session.output()), 60_000)
    const pressed = session.elapsed()
    session.type("\u0003")
    const run = await session.done
    expect(run.code).toBe(130)
    expect(run.endedAt - pressed).toBeLessThan(5000)
    expect(run.output).toContain("interrupted")
    expect(run.output).not.toContain("quitting at once")
    expect(await leftovers(dataDir)).toEqual({ locks: [], temp: [] })
  }, 150_000)

  it("--quiet draws no progress", async () => {
    const dataDir = await freshDataDir("quiet")
    const run = await runInPty(`${cli} populate --quiet --data-dir ${quote(dataDir)} --input orders=${quote(someOrders)} --workers off`, {
      env: { TMPDIR: runTmp },
      timeoutMs: 120_000
    })
    expect(run.code).toBe(0)
    expect(run.output).toContain("Final Output Analysis")
    expect(run.output).not.toMatch(CURSOR_MOVES)
    expect(frames(run.output)).toEqual([])
  }, 150_000)

  it("NO_COLOR gives no colour escapes; without it, a terminal gets colours", async () => {
    const plain = await runInPty(`${cli} populate --reset --data-dir ${quote(await freshDataDir("no-color"))}`, {
      env: { TMPDIR: runTmp, NO_COLOR: "1" },
      timeoutMs: 30_000
    })
    expect(plain.code).toBe(0)
    expect(plain.output).toContain("Final Output Analysis")
    expect(plain.output).not.toMatch(SGR)
    const coloured = await runInPty(`${cli} populate --reset --data-dir ${quote(await freshDataDir("color"))}`, {
      env: { TMPDIR: runTmp },
      timeoutMs: 30_000
    })
    expect(coloured.output).toMatch(SGR)
  }, 60_000)
})
