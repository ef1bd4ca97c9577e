import { spawnSync } from "node:child_process"
import { appendFile, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { ShardName } from "@distributed-insert/shard"
import { RowOutcome, type ShardDatabase, ShardStorage } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeFrame, encodeHeader, parseJournal, snapshotIdOf } from "./redo-format.ts"
import { journalFileOf } from "./redo-journal.ts"
import { SqlJsStorage } from "./sqljs-storage.ts"
import { queryFile } from "./testing.ts"

const name = ShardName.make("notes")
const fileOf = (dir: string) => join(dir, "notes.db")
const redoOf = (dir: string) => journalFileOf(fileOf(dir))

const sqlite3 = spawnSync("sqlite3", ["--version"], { encoding: "utf8" })
const hasSqlite3 = sqlite3.status === 0
if (!hasSqlite3) console.info("skipping the sqlite3 shell checks of the redo journal: no sqlite3 on PATH (Debian: apt-get install sqlite3)")

const withDatabase = <A, E>(dir: string, use: "read" | "write", work: (database: ShardDatabase) => Effect.Effect<A, E>) =>
  Effect.flatMap(ShardStorage, (storage) => Effect.flatMap(storage.database(name), work)).pipe(
    Effect.provide(SqlJsStorage.layer(use === "read" ? { dataDir: dir } : { dataDir: dir, writer: { waitSeconds: 0 } }))
  )

const idsIn = (dir: string, use: "read" | "write" = "read") =>
  withDatabase(dir, use, (database) => Effect.map(database.select(notes, {}), (rows) => rows.map((row) => [row["id"], row["body"], row["stars"]])))

/** A shard file with rows 1-2 as a snapshot and rows 3-4 in its journal, as a run that stopped after a checkpoint leaves it. */
const pendingJournal = (dir: string) =>
  withDatabase(dir, "write", (database) =>
    Effect.gen(function* () {
      yield* database.migrate(notes.model, notes.migrations)
      yield* database.insertBatch(notes, [[1, "one", 1], [2, "two", 2]])
      yield* database.persist
      yield* database.insertBatch(notes, [[3, "three", 3]])
      yield* database.persist
      yield* database.insertBatch(notes, [[4, "four", 4]])
      yield* database.persist
    })
  )

describe("the redo journal's format", () => {
  it("reads back the frames it wrote, and stops at a torn or damaged one", () => {
    const base = snapshotIdOf(new Uint8Array([1, 2, 3]))
    const first = encodeFrame({ _tag: "Rows", table: "notes", columns: ["id", "body"], primaryKey: "id", onConflict: "fail", rows: [[1, "a"], [2, null]] })
    const second = encodeFrame({
      _tag: "Rows",
      table: "notes",
      columns: ["id", "body"],
      primaryKey: "id",
      onConflict: "replace",
      rows: [[3, new Uint8Array([0, 255])], [Number.POSITIVE_INFINITY, -0], [0.1, "\"x\":1 \u{1F600}"]]
    })
    const whole = Buffer.concat([encodeHeader(base), first, second])
    const parsed = parseJournal(whole)
    expect(parsed.base).toBe(base)
    expect(parsed.validBytes).toBe(whole.length)
    expect(parsed.frames.map((frame) => [frame.onConflict, frame.rows])).toEqual([
      ["fail", [[1, "a"], [2, null]]],
      ["replace", [[3, new Uint8Array([0, 255])], [Number.POSITIVE_INFINITY, -0], [0.1, "\"x\":1 \u{1F600}"]]]
    ])
    expect(Object.is(parsed.frames[1]?.rows[1]?.[1], -0)).toBe(true)
    // Every cut inside the second frame leaves the first one, and says where it ends.
    for (let cut = whole.length - second.length; cut < whole.length; cut += 7) {
      const torn = parseJournal(whole.subarray(0, cut))
      expect(torn.frames).toHaveLength(1)
      expect(torn.validBytes).toBe(whole.length - second.length)
    }
    // A flipped byte in a payload fails its CRC.
    const damaged = Buffer.from(whole)
    damaged[whole.length - 3] = (damaged[whole.length - 3] ?? 0) ^ 1
    expect(parseJournal(damaged).frames).toHaveLength(1)
    // A torn header: no base, nothing to replay.
    expect(parseJournal(whole.subarray(0, 20))).toMatchObject({ base: undefined, frames: [], validBytes: 0 })
  })

  it("marks a journal superseded by a snapshot", () => {
    const base = snapshotIdOf(new Uint8Array([1]))
    const next = snapshotIdOf(new Uint8Array([2]))
    const parsed = parseJournal(Buffer.concat([encodeHeader(base), encodeFrame({ _tag: "Superseded", by: next })]))
    expect(parsed).toMatchObject({ base, frames: [], supersededBy: [next] })
  })
})

describe("SqlJsStorage with a redo journal", () => {
  it.effect("a checkpoint appends to the journal, which every opening replays; the sqlite3 shell sees the snapshot", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      expect((yield* Effect.promise(() => readdir(dir))).sort()).toEqual(["notes.db", "notes.db.redo"])
      // The snapshot alone holds what the first checkpoint wrote (it created the table).
      expect(yield* queryFile(fileOf(dir), "SELECT id FROM notes ORDER BY id")).toEqual([[1], [2]])
      if (hasSqlite3) {
        const shell = spawnSync("sqlite3", [fileOf(dir), "PRAGMA integrity_check; SELECT group_concat(id) FROM notes;"], { encoding: "utf8" })
        expect(shell.stdout.trim().split("\n")).toEqual(["ok", "1,2"])
      }
      // Readers (check, list, get) and writers see the journal's rows too.
      const expected = [[1, "one", 1], [2, "two", 2], [3, "three", 3], [4, "four", 4]]
      expect(yield* idsIn(dir)).toEqual(expected)
      expect(yield* withDatabase(dir, "read", (database) => database.integrityProblems)).toEqual([])
      expect(yield* idsIn(dir, "write")).toEqual(expected)
      // Opening replays without writing anything.
      expect((yield* Effect.promise(() => readdir(dir))).sort()).toEqual(["notes.db", "notes.db.redo"])
    })
  )

  it.effect("a writer goes on with a pending journal; persistWhole folds it into the file and removes it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      yield* withDatabase(dir, "write", (database) =>
        Effect.gen(function* () {
          yield* database.insertBatch(notes, [[5, "five", 5]])
          yield* database.persist
        })
      )
      expect(yield* idsIn(dir)).toHaveLength(5)
      yield* withDatabase(dir, "write", (database) => database.persistWhole ?? Effect.void)
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["notes.db"])
      expect(yield* queryFile(fileOf(dir), "SELECT count(*) FROM notes")).toEqual([[5]])
    })
  )

  it.effect("a torn tail (a crash mid-append) is dropped: readers ignore it, a writer cuts it off and appends after the whole frames", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      const whole = (yield* Effect.promise(() => stat(redoOf(dir)))).size
      const torn = encodeFrame({ _tag: "Rows", table: "notes", columns: ["id", "body", "stars"], primaryKey: "id", onConflict: "fail", rows: [[9, "nine", 1]] })
      yield* Effect.promise(() => appendFile(redoOf(dir), torn.subarray(0, torn.length - 4)))
      expect((yield* idsIn(dir)).map(([id]) => id)).toEqual([1, 2, 3, 4])
      // The reader left the file alone.
      expect((yield* Effect.promise(() => stat(redoOf(dir)))).size).toBe(whole + torn.length - 4)
      yield* withDatabase(dir, "write", (database) =>
        Effect.gen(function* () {
          yield* database.insertBatch(notes, [[5, "five", 5]])
          yield* database.persist
        })
      )
      expect((yield* idsIn(dir)).map(([id]) => id)).toEqual([1, 2, 3, 4, 5])
      const parsed = parseJournal(yield* Effect.promise(() => readFile(redoOf(dir))))
      expect(parsed.validBytes).toBe(parsed.size)
    })
  )

  it.effect("a journal cut at every byte never opens to more than its whole frames, nor fails", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      const bytes = yield* Effect.promise(() => readFile(redoOf(dir)))
      const counts = new Set<number>()
      for (let cut = 0; cut <= bytes.length; cut += Math.max(1, Math.floor(bytes.length / 40))) {
        yield* Effect.promise(() => writeFile(redoOf(dir), bytes.subarray(0, cut)))
        const rows = yield* idsIn(dir)
        expect(rows.length).toBeGreaterThanOrEqual(2)
        expect(rows.length).toBeLessThanOrEqual(4)
        counts.add(rows.length)
      }
      expect([...counts].sort()).toEqual([2, 3])
    })
  )

  it.effect("a stale journal (the snapshot that superseded it is in place) is never replayed twice, and a writer removes it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      const pending = yield* Effect.promise(() => readFile(redoOf(dir)))
      // A crash between the snapshot's rename and the journal's removal leaves this pair behind.
      yield* withDatabase(dir, "write", (database) =>
        Effect.gen(function* () {
          yield* database.insertBatch(notes, [[5, "five", 5]])
          yield* database.persistWhole ?? Effect.void
        })
      )
      const snapshotBytes = yield* Effect.promise(() => readFile(fileOf(dir)))
      yield* Effect.promise(() => writeFile(redoOf(dir), Buffer.concat([pending, encodeFrame({ _tag: "Superseded", by: snapshotIdOf(snapshotBytes) })])))
      expect((yield* idsIn(dir)).map(([id]) => id)).toEqual([1, 2, 3, 4, 5])
      expect((yield* idsIn(dir, "write")).map(([id]) => id)).toEqual([1, 2, 3, 4, 5])
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["notes.db"])
    })
  )

  it.effect("a journal of another version of the file is refused, naming both files, and nothing is changed", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      // Another program changed the snapshot while the journal was pending.
      const other = yield* withDatabase(yield* tempDir, "write", (database) =>
        Effect.gen(function* () {
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.insertBatch(notes, [[1, "other", 1]])
          yield* database.persist
          return database.location
        })
      )
      yield* Effect.promise(async () => writeFile(fileOf(dir), await readFile(other)))
      const before = yield* Effect.promise(() => readFile(redoOf(dir)))
      for (const use of ["read", "write"] as const) {
        const error = yield* Effect.flip(withDatabase(dir, use, (database) => database.count("notes")))
        expect(error.reason).toMatch(/notes\.db\.redo beside it holds checkpoints on top of another version of notes\.db/)
      }
      expect(yield* Effect.promise(() => readFile(redoOf(dir)))).toEqual(before)
    })
  )

  it.effect("a journal without its shard file is refused", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      yield* Effect.promise(() => rm(fileOf(dir)))
      const error = yield* Effect.flip(withDatabase(dir, "read", (database) => database.count("notes")))
      expect(error.reason).toMatch(/notes\.db\.redo is beside it but notes\.db is not there/)
    })
  )

  it.effect("replays skip and replace batches exactly: skipped and refused rows left no trace, replaced rows their new values", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const live = yield* withDatabase(dir, "write", (database) =>
        Effect.gen(function* () {
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.insertBatch(notes, [[1, "one", 1], [2, "two", 2]])
          yield* database.persist
          // Within one batch: a skip, an insert, a refusal (CHECK), and the same key twice.
          expect(yield* database.insertBatch(notes, [[1, "skipped", 1], [3, "three", 3], [4, "bad", 9], [3, "again", 3]], "skip")).toEqual([
            RowOutcome.skipped,
            RowOutcome.inserted,
            expect.objectContaining({ _tag: "Refused" }),
            RowOutcome.skipped
          ])
          yield* database.persist
          expect(yield* database.insertBatch(notes, [[2, "two'", 5], [5, "five", 5], [5, "five'", 0], [6, "bad", 7]], "replace")).toEqual([
            RowOutcome.replaced,
            RowOutcome.inserted,
            RowOutcome.replaced,
            expect.objectContaining({ _tag: "Refused" })
          ])
          yield* database.insertBatch(notes, [[1, "dup", 1], [7, "seven", 0]])
          yield* database.persist
          return yield* Effect.map(database.select(notes, {}), (rows) => rows.map((row) => [row["id"], row["body"], row["stars"]]))
        })
      )
      expect(live).toEqual([[1, "one", 1], [2, "two'", 5], [3, "three", 3], [5, "five'", 0], [7, "seven", 0]])
      expect(yield* Effect.promise(() => readdir(dir))).toContain("notes.db.redo")
      expect(yield* idsIn(dir)).toEqual(live)
    })
  )

  it.effect("reset and migrations are written as a whole snapshot, which supersedes the journal", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      yield* withDatabase(dir, "write", (database) =>
        Effect.gen(function* () {
          yield* database.reset
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.insertBatch(notes, [[8, "eight", 1]])
          yield* database.persist
        })
      )
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["notes.db"])
      expect(yield* queryFile(fileOf(dir), "SELECT id FROM notes")).toEqual([[8]])
      expect((yield* idsIn(dir)).map(([id]) => id)).toEqual([8])
    })
  )

  it.effect("a reset that was never persisted leaves the journal's rows: what is durable is the state before it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      yield* withDatabase(dir, "write", (database) => database.reset)
      expect((yield* idsIn(dir)).map(([id]) => id)).toEqual([1, 2, 3, 4])
    })
  )

  it.effect("a FIFO or a link where the journal belongs is refused, without blocking or following it", () =>
    Effect.gen(function* () {
      for (const make of [
        (path: string) => Effect.sync(() => spawnSync("mkfifo", [path])),
        (path: string) => Effect.promise(() => symlink("/nowhere", path))
      ]) {
        const dir = yield* tempDir
        yield* pendingJournal(dir)
        yield* Effect.promise(() => rm(redoOf(dir)))
        yield* make(redoOf(dir))
        for (const use of ["read", "write"] as const) {
          const error = yield* Effect.flip(withDatabase(dir, use, (database) => database.count("notes")))
          expect(error.reason).toMatch(/notes\.db\.redo is (a FIFO|a symbolic link).*where its redo journal belongs/)
        }
      }
    }).pipe(Effect.timeout("20 seconds"))
  )

  it.effect("the journal is part of the shard: its role, and an unclaimed shard's sidecar", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* pendingJournal(dir)
      const layer = SqlJsStorage.layer({ dataDir: dir })
      const [role, unclaimed] = yield* Effect.provide(
        Effect.flatMap(ShardStorage, (storage) => Effect.all([storage.fileRole(redoOf(dir), [name]), storage.unclaimed([])])),
        layer
      )
      expect(role).toBe("the redo journal of shard notes")
      expect(unclaimed).toEqual([{ name, location: fileOf(dir), sidecars: [redoOf(dir)] }])
    })
  )
})
