import { lstat, readdir, readFile, readlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import initSqlJs from "sql.js"
import { populate } from "./populate.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

// The sql.js storage's file tests that run populate; the others are in storage-sqljs. The
// storage on a real file system: every case ends at once with a StorageError saying what is
// wrong, and the files are left exactly as they were.

const notes = noteShard("notes")
const name = ShardName.make("notes")
const fileOf = (dir: string) => join(dir, "notes.db")

type Use = "read" | "write"

/** The storage as a reader, or as a writer that holds its lock. */
const storage = (dataDir: string, use: Use) =>
  Effect.map(
    Layer.build(SqlJsStorage.layer(use === "read" ? { dataDir } : { dataDir, writer: { waitSeconds: 0 } })),
    Context.get(ShardStorage)
  )
const open = (dataDir: string, use: Use) => Effect.flatMap(storage(dataDir, use), (opened) => opened.database(name))
const openError = (dataDir: string, use: Use) => Effect.flip(Effect.scoped(open(dataDir, use)))

/** Every entry of `dir`: a regular file's bytes, else what it is (reading a FIFO would block the test itself). */
const snapshot = (dir: string) =>
  Effect.promise(async () => {
    const names = (await readdir(dir)).sort()
    const entry = async (file: string) => {
      const found = await lstat(join(dir, file))
      if (found.isSymbolicLink()) return `link to ${await readlink(join(dir, file))}`
      return found.isFile() ? await readFile(join(dir, file)) : found.isFIFO() ? "FIFO" : found.isDirectory() ? "directory" : "other"
    }
    return Object.fromEntries(await Promise.all(names.map(async (file) => [file, await entry(file)] as const)))
  })

/** A notes database with `count` rows, as the bytes of its file. */
const notesFile = (count: number) =>
  Effect.promise(async () => {
    const SQL = await initSqlJs()
    const db = new SQL.Database()
    try {
      db.exec(notes.migrations.map((migration) => migration.sql).join(";"))
      db.exec("BEGIN")
      for (let id = 1; id <= count; id++) db.run("INSERT INTO notes VALUES (?, ?, ?)", [id, `note ${id} ${"x".repeat(20)}`, id % 6])
      db.exec("COMMIT")
      return db.export()
    } finally {
      db.close()
    }
  })

describe("SqlJsStorage and a file that fails SQLite's integrity check", () => {
  /** A notes file that opens, but with a leaf page's cell pointers pointing past the page. */
  const damaged = Effect.map(notesFile(2000), (bytes) => {
    const copy = new Uint8Array(bytes)
    const pageSize = 4096
    copy.set([0x0f, 0xff, 0x0f, 0xff], 5 * pageSize + 8)
    return copy
  })

  it.effect("a reader opens it and sees the problems; a writer refuses it, and populate leaves it byte for byte", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const bytes = yield* damaged
      yield* Effect.promise(() => writeFile(fileOf(dir), bytes))

      const reader = yield* open(dir, "read")
      expect((yield* reader.integrityProblems).join("\n")).toMatch(/Offset \d+ out of range/)

      const refused = yield* openError(dir, "write")
      expect(refused.reason).toMatch(/^it fails SQLite's integrity check \(.*Offset \d+ out of range.*\), so it is not loaded/)

      const report = yield* populate().pipe(
        Effect.provide(testLayer([notes], dir, { storage: SqlJsStorage.layer({ dataDir: dir, writer: { waitSeconds: 0 } }) }))
      )
      expect(report.shards[0]?.error?.operation).toBe("open")
      expect(report.shards[0]?.counts.inserted).toBe(0)
      expect(yield* snapshot(dir)).toEqual({ "notes.db": Buffer.from(bytes) })
    })
  )
})
