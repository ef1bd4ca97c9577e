import { execFile } from "node:child_process"
import { link, lstat, mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { acquireShardLock, SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { populate } from "./populate.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

// The run's report file (`--report FILE`), which populate empties before the shards append to it:
// never a file the run reads or keeps, compared however the path is written, and emptied only
// once the run holds its shards' locks.

const alpha = noteShard("alpha")
const bravo = noteShard("bravo")
const execFileAsync = promisify(execFile)

interface Setup {
  readonly dir: string
  readonly data: string
  readonly input: string
}

/** A data directory where populate ran once (alpha and bravo), an input file, and a report path's candidates. */
const setUp = Effect.gen(function* () {
  const dir = yield* tempDir
  const data = join(dir, "data")
  const input = join(dir, "alpha.ndjson")
  yield* Effect.promise(() => writeFile(input, `${JSON.stringify({ id: 9, body: "nine", stars: 1 })}\n`))
  yield* populate().pipe(Effect.provide(testLayer([alpha, bravo], data)))
  return { dir, data, input } satisfies Setup
})

/** Populates alpha only (so bravo is registered but not selected) with `report` as its report file. */
const populateWithReport = ({ dir, data, input }: Setup, report: string) =>
  populate({
    shards: ["alpha"],
    report: { path: report, inputs: [input] },
    files: () => ({ report: { path: report, spool: join(dir, "alpha.spool") } })
  }).pipe(Effect.provide(testLayer([alpha, bravo], data, { storage: SqlJsStorage.layer({ dataDir: data, writer: { waitSeconds: 0 } }) })))

/** Every entry under `dir`, with a regular file's bytes (a FIFO's would block the test). */
const snapshot = (dir: string): Effect.Effect<Record<string, unknown>> =>
  Effect.promise(async () => {
    const entries: Record<string, unknown> = {}
    const walk = async (at: string, prefix: string): Promise<void> => {
      for (const name of (await readdir(at)).sort()) {
        const path = join(at, name)
        const found = await lstat(path)
        if (found.isDirectory()) await walk(path, `${prefix}${name}/`)
        else entries[`${prefix}${name}`] = found.isFile() ? await readFile(path) : found.isFIFO() ? "FIFO" : "link"
      }
    }
    await walk(dir, "")
    return entries
  })

describe("populate's report file", () => {
  const refused: ReadonlyArray<readonly [string, (setup: Setup) => Promise<string>, RegExp]> = [
    ["the selected shard's file", async ({ data }) => join(data, "alpha.db"), /it is the shard file of alpha/],
    ["the file of a shard that is registered but not selected", async ({ data }) => join(data, "bravo.db"), /it is the shard file of bravo/],
    ["the same file written another way", async ({ data }) => `${data}/../data/./bravo.db`, /it is the shard file of bravo/],
    ["a symbolic link to a shard file", async ({ dir, data }) => {
      await symlink(join(data, "bravo.db"), join(dir, "report.ndjson"))
      return join(dir, "report.ndjson")
    }, /it is the shard file of bravo/],
    ["a hard link to a shard file", async ({ dir, data }) => {
      await link(join(data, "bravo.db"), join(dir, "report.ndjson"))
      return join(dir, "report.ndjson")
    }, /it is the shard file of bravo/],
    ["a shard's lock file", async ({ data }) => join(data, "bravo.db.lock"), /it is the lock file of shard bravo/],
    ["SQLite's write-ahead log of a shard, not there yet", async ({ data }) => join(data, "alpha.db-wal"), /it is SQLite's write-ahead log of shard alpha/],
    ["a dangling link to a shard's rollback journal", async ({ dir, data }) => {
      await symlink(join(data, "alpha.db-journal"), join(dir, "report.ndjson"))
      return join(dir, "report.ndjson")
    }, /it is SQLite's rollback journal of shard alpha/],
    ["a temp file of a shard's write", async ({ data }) => join(data, ".alpha.db.1234.deadbeef.tmp"), /it is a temp file of shard alpha/],
    ["an input of the run", async ({ input }) => input, /it is an input of this run/],
    ["a symbolic link to an input of the run", async ({ dir, input }) => {
      await symlink(input, join(dir, "report.ndjson"))
      return join(dir, "report.ndjson")
    }, /it is an input of this run/],
    ["a FIFO", async ({ dir }) => {
      await execFileAsync("mkfifo", [join(dir, "report.ndjson")])
      return join(dir, "report.ndjson")
    }, /is a FIFO \(named pipe\) or a socket, not a regular file/],
    ["a directory", async ({ dir }) => {
      await mkdir(join(dir, "report.ndjson"))
      return join(dir, "report.ndjson")
    }, /is a directory, not a regular file|EISDIR/]
  ]
  it.each(refused)("refuses %s with a ReportError, loading nothing and changing no file", (_, make, why) =>
    Effect.gen(function* () {
      const setup = yield* setUp
      const report = yield* Effect.promise(() => make(setup))
      const before = yield* snapshot(setup.dir)
      const error = yield* Effect.flip(populateWithReport(setup, report))
      expect(error).toMatchObject({ _tag: "ReportError", path: report })
      expect(error.message).toMatch(why)
      expect(yield* snapshot(setup.dir)).toEqual(before)
    }).pipe(Effect.scoped, Effect.timeout("20 seconds"), Effect.runPromise)
  )

  it.effect("empties any other file, following a link to it, and fills it", () =>
    Effect.gen(function* () {
      const setup = yield* setUp
      const target = join(setup.dir, "old-report.ndjson")
      yield* Effect.promise(async () => {
        await writeFile(target, "stale lines\n".repeat(100))
        await symlink(target, join(setup.dir, "report.ndjson"))
      })
      const report = yield* populateWithReport(setup, join(setup.dir, "report.ndjson"))
      expect(report.shards[0]?.error).toBeNull()
      // Alpha's three sample notes, then the marker saying all three are durable.
      const lines = (yield* Effect.promise(() => readFile(target, "utf8"))).split("\n").filter((line) => line !== "")
      expect(lines.map((line) => JSON.parse(line))).toMatchObject([
        { shard: "alpha", position: 1 },
        { shard: "alpha", position: 2 },
        { shard: "alpha", position: 3 },
        { shard: "alpha", checkpoint: { through: 3 } }
      ])
      expect((yield* Effect.promise(() => lstat(join(setup.dir, "report.ndjson")))).isSymbolicLink()).toBe(true)
    })
  )

  it.live("is left as it was when a shard's lock is refused: the run holding it may be appending to the same report", () =>
    Effect.gen(function* () {
      const setup = yield* setUp
      const report = join(setup.dir, "report.ndjson")
      // What the same command, still running, has reported so far.
      yield* Effect.promise(() => writeFile(report, '{"shard":"alpha","position":1}\n'))
      const holding = yield* Scope.make()
      yield* acquireShardLock({ shard: "alpha", location: join(setup.data, "alpha.db"), waitSeconds: 0 }).pipe(Scope.provide(holding))
      const before = yield* snapshot(setup.dir)
      const error = yield* Effect.flip(populateWithReport(setup, report))
      expect(error).toMatchObject({ _tag: "ReportError", path: report })
      expect(error.message).toMatch(/lock failed for shard alpha .*nothing was loaded and the report was left as it was/)
      expect(yield* snapshot(setup.dir)).toEqual(before)
      yield* Scope.close(holding, Exit.void)
    })
  )

  it.effect("is started all the same when a lock cannot be taken at all: that shard fails alone, as without a report", () =>
    Effect.gen(function* () {
      const setup = yield* setUp
      const report = join(setup.dir, "report.ndjson")
      yield* Effect.promise(() => writeFile(report, "the previous run's report\n"))
      // No run can hold a lock in a data directory that cannot exist: its parent is a file.
      const data = join(setup.input, "data")
      const done = yield* populateWithReport({ ...setup, data }, report)
      expect(done.shards.map((shard) => shard.error?.operation)).toEqual(["lock"])
      expect(yield* Effect.promise(() => readFile(report, "utf8"))).toBe("")
    })
  )

  it.live("is emptied only once the run holds its shards' locks", () =>
    Effect.gen(function* () {
      const setup = yield* setUp
      const report = join(setup.dir, "report.ndjson")
      yield* Effect.promise(() => writeFile(report, "the previous run's report\n"))
      const holding = yield* Scope.make()
      yield* acquireShardLock({ shard: "alpha", location: join(setup.data, "alpha.db"), waitSeconds: 0 }).pipe(Scope.provide(holding))
      let waiting = false
      const writer = { waitSeconds: 30, onWait: () => Effect.sync(() => (waiting = true)) }
      const run = yield* Effect.forkChild(
        populate({
          shards: ["alpha"],
          report: { path: report, inputs: [] },
          files: () => ({ report: { path: report, spool: join(setup.dir, "alpha.spool") } })
        }).pipe(Effect.provide(testLayer([alpha, bravo], setup.data, { storage: SqlJsStorage.layer({ dataDir: setup.data, writer }) })))
      )
      while (!waiting) yield* Effect.sleep("10 millis")
      yield* Effect.sleep("200 millis")
      expect(yield* Effect.promise(() => readFile(report, "utf8"))).toBe("the previous run's report\n")
      yield* Scope.close(holding, Exit.void)
      const done = yield* Fiber.join(run)
      expect(done.shards[0]?.error).toBeNull()
      expect(yield* Effect.promise(() => readFile(report, "utf8"))).toMatch(/^\{"shard":"alpha","position":1,/)
    })
  )
})
