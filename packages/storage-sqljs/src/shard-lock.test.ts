import { execFile, spawn } from "node:child_process"
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { tempDir } from "@distributed-insert/files/testing"
import type { StorageError } from "@distributed-insert/storage"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Result, Scope } from "effect"
import { acquireShardLock, inspectShardLock, type LockHolder, lockFileOf } from "./shard-lock.ts"
import type { ShardLockedError } from "./shard-locked-error.ts"

const shard = "notes"
const execFileAsync = promisify(execFile)

/** The pid of a process that has exited (and been reaped): nothing runs under it any more. */
const deadPid = Effect.promise(
  () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
      child.on("error", reject)
      child.on("exit", () => (child.pid === undefined ? reject(new Error("no pid")) : resolve(child.pid)))
    })
)

const writeLock = (location: string, holder: LockHolder) =>
  Effect.promise(() => writeFile(lockFileOf(location), `${JSON.stringify(holder)}\n`))

const readLock = (location: string) =>
  Effect.promise(() =>
    readFile(lockFileOf(location), "utf8").then(
      (text): LockHolder | null => JSON.parse(text),
      () => null
    )
  )

const filesIn = (dir: string) => Effect.promise(() => readdir(dir).then((names) => names.sort()))

/** Polls until `condition` holds; the test's own timeout bounds it. */
const eventually = (condition: Effect.Effect<boolean>): Effect.Effect<void> =>
  Effect.flatMap(condition, (holds) => (holds ? Effect.void : Effect.andThen(Effect.sleep("10 millis"), eventually(condition))))

const setUp = Effect.map(tempDir, (dir) => ({ dir, location: join(dir, "notes.db") }))

/** The ShardLockedError that `effect` fails with; anything else fails the test. */
const lockedError = (effect: Effect.Effect<LockHolder, ShardLockedError | StorageError, Scope.Scope>) =>
  Effect.flatMap(Effect.flip(effect), (error) => (error._tag === "ShardLockedError" ? Effect.succeed(error) : Effect.die(new Error(error.message))))

describe("acquireShardLock", () => {
  it.live("writes { pid, since, hostname } beside the shard and removes it when the scope closes", () =>
    Effect.gen(function* () {
      const { dir, location } = yield* setUp
      const holder = yield* Effect.scoped(
        Effect.gen(function* () {
          const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
          expect(holder).toEqual({ pid: process.pid, since: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), hostname: hostname() })
          expect(yield* readLock(location)).toEqual(holder)
          expect(yield* filesIn(dir)).toEqual(["notes.db.lock"])
          return holder
        })
      )
      expect(holder.pid).toBe(process.pid)
      expect(yield* filesIn(dir)).toEqual([])
    })
  )

  it.live("refuses a second writer at once, naming the file, the holder's pid and since when", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
      const busy = yield* lockedError(acquireShardLock({ shard, location, waitSeconds: 0 }))
      expect(busy).toMatchObject({ shard, location, lockFile: `${location}.lock`, holder, waitedSeconds: 0 })
      expect(busy.message).toContain(`process ${process.pid}`)
      expect(busy.message).toContain(`since ${holder.since}`)
      expect(busy.message).toContain(location)
      expect(yield* readLock(location)).toEqual(holder)
    })
  )

  it.live("never takes over the lock of another live process, even after waiting", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      // The test runner's parent: alive, and not this process.
      const live: LockHolder = { pid: process.ppid, since: "2020-01-01T00:00:00.000Z", hostname: hostname() }
      yield* writeLock(location, live)
      const busy = yield* lockedError(acquireShardLock({ shard, location, waitSeconds: 0.2 }))
      expect(busy.holder).toEqual(live)
      expect(busy.waitedSeconds).toBeGreaterThan(0)
      expect(busy.message).toContain("gave up after waiting")
      expect(yield* readLock(location)).toEqual(live)
    })
  )

  it.live("waits for the holder, says so once, and takes the lock when it is released", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      const firstScope = yield* Scope.make()
      const first = yield* acquireShardLock({ shard, location, waitSeconds: 0 }).pipe(Scope.provide(firstScope))
      const notices: Array<ShardLockedError> = []
      const second = yield* Effect.forkChild(
        acquireShardLock({ shard, location, waitSeconds: 30, onWait: (busy) => Effect.sync(() => notices.push(busy)) })
      )
      yield* eventually(Effect.sync(() => notices.length > 0))
      // Still waiting: the holder has not let go.
      expect(yield* readLock(location)).toEqual(first)
      yield* Scope.close(firstScope, Exit.void)
      const holder = yield* Fiber.join(second)
      expect(yield* readLock(location)).toEqual(holder)
      expect(holder.since).not.toBe(first.since)
      expect(notices.map((busy) => busy.holder)).toEqual([first])
    })
  )

  it.live("takes over the lock of a process that died", () =>
    Effect.gen(function* () {
      const { dir, location } = yield* setUp
      const dead: LockHolder = { pid: yield* deadPid, since: new Date().toISOString(), hostname: hostname() }
      yield* writeLock(location, dead)
      expect(yield* inspectShardLock(shard, location)).toEqual({ _tag: "Stale", holder: dead })
      const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
      expect(yield* readLock(location)).toEqual(holder)
      expect(holder.pid).toBe(process.pid)
      expect(yield* filesIn(dir)).toEqual(["notes.db.lock"])
    })
  )

  it.live("takes over a lock with this process's pid that is older than this process (a reused pid)", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      yield* writeLock(location, { pid: process.pid, since: "2020-01-01T00:00:00.000Z", hostname: hostname() })
      const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
      expect(yield* readLock(location)).toEqual(holder)
    })
  )

  it.live("never takes over a lock of another host, whose processes it cannot see", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      const remote: LockHolder = { pid: yield* deadPid, since: "2020-01-01T00:00:00.000Z", hostname: `not-${hostname()}` }
      yield* writeLock(location, remote)
      const busy = yield* lockedError(acquireShardLock({ shard, location, waitSeconds: 0 }))
      expect(busy.holder).toEqual(remote)
      expect(busy.message).toContain(`on not-${hostname()}`)
    })
  )

  it.live("lets exactly one of many racing takers take over a stale lock", () =>
    Effect.gen(function* () {
      const dead = yield* deadPid
      // Rounds of 12 takers, started a fraction of a millisecond apart so that some are a step
      // ahead of others: their file operations interleave on the event loop, as processes' would.
      for (let round = 0; round < 40; round++) {
        yield* Effect.scoped(
          Effect.gen(function* () {
            const { dir, location } = yield* setUp
            yield* writeLock(location, { pid: dead, since: new Date().toISOString(), hostname: hostname() })
            const outcomes = yield* Effect.all(
              Array.from({ length: 12 }, (_, taker) =>
                Effect.result(Effect.andThen(Effect.sleep(`${taker % 3} millis`), acquireShardLock({ shard, location, waitSeconds: 0 })))
              ),
              { concurrency: "unbounded" }
            )
            const winners = outcomes.filter(Result.isSuccess).map((outcome) => outcome.success)
            expect(winners).toHaveLength(1)
            expect(yield* readLock(location)).toEqual(winners[0])
            for (const outcome of outcomes.filter(Result.isFailure)) {
              expect(outcome.failure).toMatchObject({ _tag: "ShardLockedError", holder: { pid: process.pid } })
            }
            expect(yield* filesIn(dir)).toEqual(["notes.db.lock"])
          })
        )
      }
    })
  )

  it.live("removes a takeover lock left by a taker that died, then takes over", () =>
    Effect.gen(function* () {
      const { dir, location } = yield* setUp
      const dead = yield* deadPid
      yield* writeLock(location, { pid: dead, since: "2020-01-01T00:00:00.000Z", hostname: hostname() })
      yield* Effect.promise(() =>
        writeFile(`${lockFileOf(location)}.takeover`, JSON.stringify({ pid: dead, since: "2020-01-01T00:00:01.000Z", hostname: hostname() }))
      )
      const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
      expect(yield* readLock(location)).toEqual(holder)
      expect(yield* filesIn(dir)).toEqual(["notes.db.lock"])
    })
  )

  it.live("releases the lock when the scope fails", () =>
    Effect.gen(function* () {
      const { dir, location } = yield* setUp
      const exit = yield* Effect.exit(Effect.scoped(Effect.andThen(acquireShardLock({ shard, location, waitSeconds: 0 }), Effect.fail("boom"))))
      expect(exit).toEqual(Exit.fail("boom"))
      expect(yield* filesIn(dir)).toEqual([])
    })
  )

  it.live("releases the lock when the holder is interrupted", () =>
    Effect.gen(function* () {
      const { dir, location } = yield* setUp
      const holding = yield* Effect.forkChild(Effect.scoped(Effect.andThen(acquireShardLock({ shard, location, waitSeconds: 0 }), Effect.never)))
      yield* eventually(Effect.map(readLock(location), (holder) => holder !== null))
      yield* Fiber.interrupt(holding)
      expect(yield* filesIn(dir)).toEqual([])
    })
  )

  it.live("stops waiting when interrupted, leaving the holder's lock alone", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
      let noticed = false
      const waiting = yield* Effect.forkChild(
        Effect.scoped(acquireShardLock({ shard, location, waitSeconds: 600, onWait: () => Effect.sync(() => (noticed = true)) }))
      )
      yield* eventually(Effect.sync(() => noticed))
      yield* Fiber.interrupt(waiting)
      expect(Exit.hasInterrupts(yield* Fiber.await(waiting))).toBe(true)
      expect(yield* readLock(location)).toEqual(holder)
    })
  )

  it.live("fails with a lock StorageError naming the file when the lock file is not one of ours, and leaves it", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      yield* Effect.promise(() => writeFile(lockFileOf(location), "garbage"))
      const failure = yield* Effect.flip(acquireShardLock({ shard, location, waitSeconds: 0 }))
      expect(failure).toMatchObject({ _tag: "StorageError", operation: "lock", location })
      expect(failure.message).toContain(lockFileOf(location))
      expect(yield* Effect.promise(() => readFile(lockFileOf(location), "utf8"))).toBe("garbage")
    })
  )

  // Whatever sits at the lock's path that this program did not write, the attempt ends at once
  // with a message naming the lock file and what is wrong with it, and leaves it as it was, and
  // leaves nothing of its own behind (no draft, no lock).
  const notOurs: ReadonlyArray<readonly [string, (lockFile: string, dir: string) => Promise<void>, RegExp]> = [
    ["a dangling symbolic link", (lockFile, dir) => symlink(join(dir, "nowhere"), lockFile), /is a symbolic link/],
    ["a symbolic link to a valid lock of a dead process", async (lockFile, dir) => {
      await writeFile(join(dir, "elsewhere"), `${JSON.stringify({ pid: 999_999, since: "2026-01-02T03:04:05.678Z", hostname: hostname() })}\n`)
      await symlink(join(dir, "elsewhere"), lockFile)
    }, /is a symbolic link/],
    ["a FIFO", (lockFile) => execFileAsync("mkfifo", [lockFile]).then(() => undefined), /is a FIFO/],
    ["a directory", (lockFile) => mkdir(lockFile), /is a directory/],
    ["a record naming pid 4294967297", (lockFile) =>
      writeFile(lockFile, `${JSON.stringify({ pid: 4_294_967_297, since: "2026-01-02T03:04:05.678Z", hostname: hostname() })}\n`), /with a pid from 1 to 2147483647/],
    ["a record naming pid 0", (lockFile) =>
      writeFile(lockFile, `${JSON.stringify({ pid: 0, since: "2026-01-02T03:04:05.678Z", hostname: hostname() })}\n`), /with a pid from 1 to 2147483647/],
    ["megabytes of text", (lockFile) => writeFile(lockFile, "x".repeat(1 << 20)), /holds more than 4096 bytes/]
  ]
  it.each(notOurs)("refuses %s at the lock's path at once, with a message, leaving it and nothing else", (_, make, why) =>
    Effect.gen(function* () {
      const { dir, location } = yield* setUp
      yield* Effect.promise(() => make(lockFileOf(location), dir))
      const before = yield* filesIn(dir)
      const failure = yield* Effect.scoped(Effect.flip(acquireShardLock({ shard, location, waitSeconds: 0 })))
      expect(failure).toMatchObject({ _tag: "StorageError", operation: "lock", location })
      expect(failure.message).toContain(`${lockFileOf(location)} is not a lock file this program wrote`)
      expect(failure.message).toMatch(why)
      expect(failure.message).toContain("delete it")
      expect(yield* filesIn(dir)).toEqual(before)
    }).pipe(Effect.scoped, Effect.timeout("10 seconds"), Effect.runPromise)
  )
})

describe("inspectShardLock", () => {
  it.live("tells unlocked, held and stale apart without touching the lock", () =>
    Effect.gen(function* () {
      const { location } = yield* setUp
      expect(yield* inspectShardLock(shard, location)).toEqual({ _tag: "Unlocked" })
      const holder = yield* acquireShardLock({ shard, location, waitSeconds: 0 })
      expect(yield* inspectShardLock(shard, location)).toEqual({ _tag: "Held", holder })
      expect(yield* readLock(location)).toEqual(holder)
    })
  )
})
