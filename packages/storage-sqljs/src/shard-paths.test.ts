import { link, mkdir, readdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { ShardName } from "@distributed-insert/shard"
import { ShardStorage, type StorageWorkerConfig } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { SqlJsStorage, type SqlJsStorageOptions } from "./sqljs-storage.ts"
import { notesFile, queryFile, snapshot } from "./testing.ts"

// A database kept elsewhere than `<dataDir>/<name>.db` (`files`): everything the storage keeps
// for it follows its file, and the data directory gets nothing of it.

const name = ShardName.make("notes")

/** A data directory and, in another folder, the file `files` gives notes. */
const places = Effect.map(tempDir, (dir) => ({ dir, dataDir: join(dir, "data"), file: join(dir, "elsewhere", "my-notes.sqlite") }))

const storage = (options: SqlJsStorageOptions) => Effect.map(Layer.build(SqlJsStorage.layer(options)), Context.get(ShardStorage))

const writeRows = (options: SqlJsStorageOptions, rows: ReadonlyArray<ReadonlyArray<number | string>>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const database = yield* Effect.flatMap(storage(options), (opened) => opened.database(name))
      yield* database.migrate(notes.model, notes.migrations)
      yield* database.insertBatch(notes, rows)
      yield* database.persist
      return database.location
    })
  )

const entries = (dir: string) => Effect.promise(() => readdir(dir).catch(() => []))

describe("SqlJsStorage files: a database at a path of its own", () => {
  it.effect("is read and written there, locked beside it, and the data directory gets nothing", () =>
    Effect.gen(function* () {
      const { dir, dataDir, file } = yield* places
      const options = { dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }
      yield* Effect.scoped(
        Effect.gen(function* () {
          const opened = yield* storage(options)
          const database = yield* opened.database(name)
          expect(database.location).toBe(file)
          // The lock is taken before the file is read, beside the file.
          expect(yield* entries(join(dir, "elsewhere"))).toEqual(["my-notes.sqlite.lock"])
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.insertBatch(notes, [[1, "one", 1]])
          yield* database.persist
        })
      )
      expect(yield* entries(join(dir, "elsewhere"))).toEqual(["my-notes.sqlite"])
      expect(yield* entries(dataDir)).toEqual([])
      expect(yield* queryFile(file, "SELECT id, body FROM notes")).toEqual([[1, "one"]])
      // Without it, the same name is at the default path.
      expect(yield* writeRows({ dataDir, writer: { waitSeconds: 0 } }, [[3, "three", 3]])).toBe(join(dataDir, "notes.db"))
      expect(yield* entries(dataDir)).toEqual(["notes.db"])
    })
  )

  it.effect("is refused with SQLite's sidecar beside it, not beside the default path", () =>
    Effect.gen(function* () {
      const { dataDir, file } = yield* places
      yield* writeRows({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }, [[1, "one", 1]])
      yield* Effect.promise(async () => {
        await mkdir(dataDir)
        await writeFile(join(dataDir, "notes.db-wal"), "")
      })
      // The default path's log is no business of a database kept elsewhere.
      expect(yield* writeRows({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }, [[10, "ten", 1]])).toBe(file)
      yield* Effect.promise(() => writeFile(`${file}-wal`, ""))
      const refused = yield* Effect.flip(writeRows({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }, [[11, "eleven", 1]]))
      expect(refused).toMatchObject({ _tag: "StorageError", operation: "open", location: file })
      expect(refused.reason).toContain("my-notes.sqlite-wal is beside it")
    })
  )

  it.effect("fileRole names its file, lock, journals and temp files where it is, and not the default path", () =>
    Effect.gen(function* () {
      const { dir, dataDir, file } = yield* places
      yield* writeRows({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }, [[1, "one", 1]])
      yield* Effect.promise(() => link(file, join(dir, "hard-link")))
      const roleOf = (path: string) => Effect.scoped(Effect.flatMap(storage({ dataDir, files: { [name]: file } }), (kept) => kept.fileRole(path, [name])))
      const elsewhere = join(dir, "elsewhere")
      const expected: ReadonlyArray<readonly [string, string | undefined]> = [
        [file, "the shard file of notes"],
        [join(elsewhere, "..", "elsewhere", "my-notes.sqlite"), "the shard file of notes"],
        [join(dir, "hard-link"), "the shard file of notes"],
        [`${file}-wal`, "SQLite's write-ahead log of shard notes"],
        [`${file}-journal`, "SQLite's rollback journal of shard notes"],
        [`${file}.lock`, "the lock file of shard notes"],
        [join(elsewhere, `.my-notes.sqlite.${process.pid}.0a1b2c3d.tmp`), "a temp file of shard notes"],
        [join(dataDir, "notes.db"), undefined],
        [join(dataDir, "notes.db.lock"), undefined],
        [join(elsewhere, "notes.db"), undefined]
      ]
      for (const [path, role] of expected) expect(yield* roleOf(path), path).toBe(role)
    })
  )

  it.effect("crosses to a worker thread with the storage's options: the worker opens the same file", () =>
    Effect.gen(function* () {
      const { dataDir, file } = yield* places
      yield* writeRows({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }, [[1, "one", 1]])
      const config: StorageWorkerConfig = yield* Effect.scoped(
        Effect.gen(function* () {
          const opened = yield* storage({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } })
          return opened.workerConfig === undefined ? yield* Effect.die("a writer has a worker configuration") : yield* opened.workerConfig
        })
      )
      expect(config).toMatchObject({ backend: SqlJsStorage.backend, options: { dataDir, files: { notes: file } } })
      const rows = yield* Effect.scoped(
        Effect.gen(function* () {
          const opened = Context.get(yield* Layer.build(SqlJsStorage.fromWorkerOptions(structuredClone(config.options))), ShardStorage)
          const database = yield* opened.database(name)
          expect(database.location).toBe(file)
          return yield* database.select(notes, {})
        })
      )
      expect(rows).toEqual([{ id: 1, body: "one", stars: 1 }])
    })
  )

  it.effect("unclaimed: a data directory's hard link to its file is that database, and its default path is not claimed twice", () =>
    Effect.gen(function* () {
      const { dataDir, file } = yield* places
      yield* writeRows({ dataDir, files: { [name]: file }, writer: { waitSeconds: 0 } }, [[1, "one", 1]])
      const sqlite = yield* notesFile(1)
      yield* Effect.promise(async () => {
        await mkdir(dataDir, { recursive: true })
        await link(file, join(dataDir, "alias.db"))
        await writeFile(join(dataDir, "legacy.db"), sqlite)
      })
      const before = yield* snapshot(dataDir)
      const found = yield* Effect.scoped(Effect.flatMap(storage({ dataDir, files: { [name]: file } }), (opened) => opened.unclaimed([name])))
      expect(found).toEqual([{ name: "legacy", location: join(dataDir, "legacy.db"), sidecars: [] }])
      expect(yield* snapshot(dataDir)).toEqual(before)
    })
  )
})
