import { execFile } from "node:child_process"
import { link, mkdir, readdir, readFile, rename, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { promisify } from "node:util"
import { tempDir } from "@distributed-insert/files/testing"
import { ShardName } from "@distributed-insert/shard"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import initSqlJs from "sql.js"
import { notesFile, openNotes, openNotesError, snapshot, storageIn } from "./testing.ts"

// The storage against what can sit where a shard file should be, or beside it, on a real file
// system: every case ends at once with a StorageError saying what is wrong, and the files are
// left exactly as they were.

const fileOf = (dir: string) => join(dir, "notes.db")
const execFileAsync = promisify(execFile)

describe("SqlJsStorage refuses what is not a regular file at a shard's path", () => {
  const cases: ReadonlyArray<readonly [string, (path: string, dir: string) => Promise<void>, RegExp]> = [
    ["a FIFO with no writer", (path) => execFileAsync("mkfifo", [path]).then(() => undefined), /it is a FIFO \(named pipe\), not a regular file/],
    ["a directory", (path) => mkdir(path), /it is a directory, not a regular file/],
    ["a symbolic link to a shard file", async (path, dir) => {
      await writeFile(join(dir, "real.db"), await Effect.runPromise(notesFile(3)))
      await symlink(join(dir, "real.db"), path)
    }, /it is a symbolic link, not a regular file: .*replace the link/],
    ["a dangling symbolic link", (path, dir) => symlink(join(dir, "nowhere.db"), path), /it is a symbolic link/]
  ]
  for (const use of ["read", "write"] as const) {
    it.each(cases)(`as a ${use === "read" ? "reader" : "writer"}: %s, at once, changing nothing`, (_, make, why) =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* Effect.promise(() => make(fileOf(dir), dir))
        const before = yield* snapshot(dir)
        const error = yield* openNotesError(dir, use)
        expect(error).toMatchObject({ _tag: "StorageError", operation: "open", location: fileOf(dir) })
        expect(error.reason).toMatch(why)
        expect(yield* snapshot(dir)).toEqual(before)
      }).pipe(Effect.scoped, Effect.timeout("10 seconds"), Effect.runPromise)
    )
  }
})

describe("SqlJsStorage and SQLite's sidecar files", () => {
  const JOURNAL_MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]
  const sidecars: ReadonlyArray<readonly [string, string, Uint8Array, { readonly read: boolean; readonly write: boolean }]> = [
    ["an empty write-ahead log (a WAL-mode connection is open)", "-wal", new Uint8Array(0), { read: true, write: false }],
    ["a write-ahead log with frames", "-wal", new Uint8Array(4096).fill(7), { read: false, write: false }],
    ["a hot rollback journal", "-journal", Uint8Array.from([...JOURNAL_MAGIC, ...new Array(504).fill(0)]), { read: false, write: false }],
    ["a rollback journal whose header is zeroed (journal_mode=PERSIST, after a commit)", "-journal", new Uint8Array(512), { read: true, write: true }],
    ["an empty rollback journal (journal_mode=TRUNCATE)", "-journal", new Uint8Array(0), { read: true, write: true }]
  ]
  it.each(sidecars)("%s", (_, suffix, sidecar, opens) =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.promise(async () => {
        await writeFile(fileOf(dir), await Effect.runPromise(notesFile(3)))
        await writeFile(`${fileOf(dir)}${suffix}`, sidecar)
      })
      const before = yield* snapshot(dir)
      for (const use of ["read", "write"] as const) {
        const outcome = yield* Effect.result(Effect.scoped(openNotes(dir, use)))
        if (opens[use]) {
          expect(outcome._tag, `${use}r`).toBe("Success")
        } else {
          expect(outcome._tag, `${use}r`).toBe("Failure")
          if (Result.isFailure(outcome)) expect(outcome.failure.reason).toContain(`notes.db${suffix} is beside it: SQLite's`)
        }
      }
      expect(yield* snapshot(dir)).toEqual(before)
    }).pipe(Effect.scoped, Effect.runPromise)
  )
})

describe("SqlJsStorage and a shard file that SQLite's integrity check finds damaged", () => {
  /** Notes with an index whose entries are another table's: the same count, so `quick_check` passes, `integrity_check` does not. */
  const indexOfAnotherTable = Effect.promise(async () => {
    const SQL = await initSqlJs()
    const db = new SQL.Database(await Effect.runPromise(notesFile(20)))
    try {
      db.exec("CREATE INDEX notes_body ON notes(body); CREATE TABLE decoy (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX decoy_body ON decoy(body)")
      db.exec("INSERT INTO decoy SELECT id, 'other ' || body FROM notes")
      const root = (index: string) => db.exec(`SELECT rootpage FROM sqlite_schema WHERE name = '${index}'`)[0]?.values[0]?.[0]
      const [notesRoot, decoyRoot] = [root("notes_body"), root("decoy_body")]
      db.exec(`PRAGMA writable_schema = ON; UPDATE sqlite_schema SET rootpage = ${decoyRoot} WHERE name = 'notes_body'; UPDATE sqlite_schema SET rootpage = ${notesRoot} WHERE name = 'decoy_body'`)
      return db.export()
    } finally {
      db.close()
    }
  })

  it.effect("even where only the full check sees it (an index that does not match its table): a writer refuses it, changing nothing; a reader opens it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const bytes = yield* indexOfAnotherTable
      yield* Effect.promise(() => writeFile(fileOf(dir), bytes))
      const checks = yield* Effect.promise(async () => {
        const db = new (await initSqlJs()).Database(bytes)
        try {
          return { quick: db.exec("PRAGMA quick_check")[0]?.values.flat(), full: db.exec("PRAGMA integrity_check")[0]?.values.flat() }
        } finally {
          db.close()
        }
      })
      expect(checks.quick).toEqual(["ok"])
      expect(checks.full).not.toEqual(["ok"])
      const before = yield* snapshot(dir)

      const error = yield* openNotesError(dir, "write")
      expect(error).toMatchObject({ _tag: "StorageError", operation: "open", location: fileOf(dir) })
      expect(error.reason).toMatch(/it fails SQLite's integrity check \(row \d+ missing from index/)
      expect(yield* snapshot(dir)).toEqual(before)
      expect(yield* Effect.scoped(Effect.flatMap(openNotes(dir, "read"), (database) => database.count("notes")))).toBe(20)
    })
  )
})

describe("SqlJsStorage never replaces a shard file that changed since it read it", () => {
  const changes: ReadonlyArray<readonly [string, (path: string, other: Uint8Array) => Promise<void>]> = [
    ["written in place", (path, other) => writeFile(path, other)],
    ["replaced by a rename", async (path, other) => {
      await writeFile(`${path}.other`, other)
      await rename(`${path}.other`, path)
    }],
    ["given a write-ahead log", (path) => writeFile(`${path}-wal`, new Uint8Array(0))]
  ]
  it.each(changes)("%s by another program: persist fails, keeping that program's file", (_, change) =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.promise(async () => writeFile(fileOf(dir), await Effect.runPromise(notesFile(3))))
      const database = yield* openNotes(dir, "write")
      yield* database.insertBatch(notes, [[10, "ten", 1]])
      yield* database.persist
      yield* database.insertBatch(notes, [[11, "eleven", 1]])
      const other = yield* notesFile(5)
      yield* Effect.promise(() => change(fileOf(dir), other))
      const before = yield* snapshot(dir)

      const error = yield* Effect.flip(database.persist)
      expect(error).toMatchObject({ _tag: "StorageError", operation: "persist", location: fileOf(dir) })
      expect(error.reason).toMatch(/^not replaced: /)
      expect(yield* snapshot(dir)).toEqual(before)
    }).pipe(Effect.scoped, Effect.runPromise)
  )

  it.effect("created by another program while none was there: persist fails, keeping it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const database = yield* openNotes(dir, "write")
      yield* database.migrate(notes.model, notes.migrations)
      const other = yield* notesFile(5)
      yield* Effect.promise(() => writeFile(fileOf(dir), other))
      const error = yield* Effect.flip(database.persist)
      expect(error.reason).toContain("it was created by another program since this run found none")
      expect(new Uint8Array(yield* Effect.promise(() => readFile(fileOf(dir))))).toEqual(other)
    })
  )
})

describe("SqlJsStorage.fileRole", () => {
  it.effect("names the files it keeps for the given databases, however the path reaches them, and nothing else", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const data = join(dir, "data")
      yield* Effect.promise(async () => {
        await mkdir(data)
        await writeFile(join(data, "notes.db"), "")
        await writeFile(join(data, "notes.db.lock"), "")
        await symlink(data, join(dir, "data-link"))
        await symlink(join(data, "notes.db"), join(dir, "to-file"))
        await symlink(join(data, "notes.db-wal"), join(dir, "to-missing-wal"))
        await link(join(data, "notes.db"), join(dir, "hard-link"))
        await writeFile(join(dir, "unrelated.ndjson"), "")
      })
      const kept = yield* storageIn(data, "read")
      const roleOf = (path: string) => kept.fileRole(path, [ShardName.make("notes"), ShardName.make("other")])
      const expected: ReadonlyArray<readonly [string, string | undefined]> = [
        [join(data, "notes.db"), "the shard file of notes"],
        [`${data}/./../data/notes.db`, "the shard file of notes"],
        [join(dir, "data-link", "notes.db"), "the shard file of notes"],
        [join(dir, "to-file"), "the shard file of notes"],
        [join(dir, "hard-link"), "the shard file of notes"],
        [join(dir, "to-missing-wal"), "SQLite's write-ahead log of shard notes"],
        [join(data, "notes.db-journal"), "SQLite's rollback journal of shard notes"],
        [join(data, "notes.db-shm"), "SQLite's shared-memory file of shard notes"],
        [join(data, "notes.db.lock"), "the lock file of shard notes"],
        [join(data, "notes.db.lock.takeover"), "a lock file of shard notes"],
        [join(data, `.notes.db.${process.pid}.0a1b2c3d.tmp`), "a temp file of shard notes"],
        [join(data, `.notes.db.lock.${process.pid}.0a1b2c3d.tmp`), "a temp file of shard notes"],
        [join(data, "other.db"), "the shard file of other"],
        [join(data, "third.db"), undefined],
        [join(data, "report.ndjson"), undefined],
        [join(dir, "notes.db"), undefined],
        [join(dir, "unrelated.ndjson"), undefined]
      ]
      for (const [path, role] of expected) expect(yield* roleOf(path), path).toBe(role)
    })
  )
})

describe("SqlJsStorage.unclaimed", () => {
  it.effect("lists the SQLite files of other names with what belongs to them, ignores everything else, and changes nothing", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const sqlite = yield* notesFile(3)
      const at = (file: string) => join(dir, file)
      const temp = `.legacy.db.${process.pid}.0a1b2c3d.tmp`
      yield* Effect.promise(async () => {
        // The claimed database and everything of its: never listed.
        await writeFile(fileOf(dir), sqlite)
        await writeFile(at("notes.db-journal"), "")
        await writeFile(at("notes.db.lock"), "{}")
        await writeFile(at(`.notes.db.${process.pid}.0a1b2c3d.tmp`), sqlite)
        // A removed shard's database, with its journal, lock and a write's temp file.
        await writeFile(at("legacy.db"), sqlite)
        await writeFile(at("legacy.db-journal"), "")
        await writeFile(at("legacy.db.lock"), "{}")
        await writeFile(at(temp), sqlite)
        // SQLite's empty database.
        await writeFile(at("empty.db"), "")
        // None of these is a database of this storage's.
        await writeFile(at("garbage.db"), "certainly not an SQLite database\n")
        await writeFile(at("Upper.db"), sqlite)
        await writeFile(at("legacy.db.bak"), sqlite)
        await writeFile(at("notes.txt"), "a stray file")
        await writeFile(at("orphan.db-wal"), "")
        await writeFile(at(".orphan.db.1.0a1b2c3d.tmp"), sqlite)
        await mkdir(at("folder.db"))
        await symlink(at("legacy.db"), at("link.db"))
        await link(fileOf(dir), at("hard.db"))
        await execFileAsync("mkfifo", [at("pipe.db")])
      })
      const before = yield* snapshot(dir)
      for (const use of ["read", "write"] as const) {
        const found = yield* Effect.scoped(Effect.flatMap(storageIn(dir, use), (opened) => opened.unclaimed([ShardName.make("notes")])))
        expect(found).toEqual([
          { name: "empty", location: at("empty.db"), sidecars: [] },
          { name: "legacy", location: at("legacy.db"), sidecars: [at(temp), at("legacy.db-journal"), at("legacy.db.lock")] }
        ])
      }
      expect(yield* snapshot(dir)).toEqual(before)
      // Without the claim, the claimed database is listed too, and its hard link is that database.
      const all = yield* Effect.scoped(Effect.flatMap(storageIn(dir, "read"), (opened) => opened.unclaimed([])))
      expect(all.map((database) => database.name)).toEqual(["empty", "hard", "legacy", "notes"])
    })
  )

  it.effect("finds none in a data directory that does not exist, and does not create it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const found = yield* Effect.scoped(Effect.flatMap(storageIn(join(dir, "nowhere"), "read"), (opened) => opened.unclaimed([ShardName.make("notes")])))
      expect(found).toEqual([])
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    })
  )

  it.effect("fails with a StorageError naming the data directory when it cannot be listed", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const notADirectory = join(dir, "data")
      yield* Effect.promise(() => writeFile(notADirectory, "a file"))
      const error = yield* Effect.flip(Effect.scoped(Effect.flatMap(storageIn(notADirectory, "read"), (opened) => opened.unclaimed([ShardName.make("notes")]))))
      expect(error).toMatchObject({ _tag: "StorageError", location: notADirectory, operation: "read" })
      expect(error.reason).toMatch(/^cannot list the data directory: ENOTDIR/)
      expect(error.cause).toBeDefined()
    })
  )
})
