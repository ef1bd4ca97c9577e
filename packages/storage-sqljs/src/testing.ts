/**
 * Readers of shard files for tests and tools: `queryFile` runs SQL on a file with a sql.js of
 * its own, not the storage under test; `readShardFile` judges a file the CLI left (sound,
 * corrupt or missing) and reads its rows; and the fixtures of the file tests (a `notes`
 * database opened as reader or writer, a snapshot of a directory, a notes file of N rows).
 *
 * @module
 */
import { lstat, readdir, readFile, readlink } from "node:fs/promises"
import { join } from "node:path"
import { ShardName, type SqlValue } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { Context, Effect, Layer } from "effect"
import initSqlJs from "sql.js"
import { SqlJsStorage } from "./sqljs-storage.ts"

/** Runs `sql` on the SQLite file at `path` with a sql.js instance of its own, not the storage under test. */
export const queryFile = (path: string, sql: string) =>
  Effect.promise(async () => {
    const SQL = await initSqlJs()
    const db = new SQL.Database(await readFile(path))
    try {
      const [result] = db.exec(sql)
      const rows: Array<ReadonlyArray<SqlValue>> = result?.values ?? []
      return rows
    } finally {
      db.close()
    }
  })

export { readShardFile, type ShardFile } from "./shard-file.ts"

export type Use = "read" | "write"

const name = ShardName.make("notes")

/** The storage as a reader, or as a writer that holds its lock. */
export const storageIn = (dataDir: string, use: Use) =>
  Effect.map(
    Layer.build(SqlJsStorage.layer(use === "read" ? { dataDir } : { dataDir, writer: { waitSeconds: 0 } })),
    Context.get(ShardStorage)
  )
export const openNotes = (dataDir: string, use: Use) => Effect.flatMap(storageIn(dataDir, use), (opened) => opened.database(name))
export const openNotesError = (dataDir: string, use: Use) => Effect.flip(Effect.scoped(openNotes(dataDir, use)))

/** Every entry of `dir`: a regular file's bytes, else what it is (reading a FIFO would block the test itself). */
export const snapshot = (dir: string) =>
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
export const notesFile = (count: number) =>
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
