/**
 * Readers of shard files for tests and tools: `queryFile` runs SQL on a file with a sql.js of
 * its own, not the storage under test; `readShardFile` judges a file the CLI left (sound,
 * corrupt or missing) and reads its rows; `migratedTableProblems` checks that a shard's
 * migrations make the table its record declares; and the fixtures of the file tests (a `notes`
 * database opened as reader or writer, a snapshot of a directory, a notes file of N rows).
 *
 * @module
 */
import { lstat, readdir, readFile, readlink } from "node:fs/promises"
import { join } from "node:path"
import { type Shard, ShardName, type SqlValue, tableDefinitionOf } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { Context, Effect, Layer, Result } from "effect"
import initSqlJs, { type Database } from "sql.js"
import { applyMigrations, SqlJsStorage } from "./sqljs-storage.ts"
import { type SqliteColumn, tableAgreementProblems } from "./table-agreement.ts"

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

/**
 * Where the table that `shard`'s migrations make in SQLite disagrees with the table its record
 * declares (`tableDefinitionOf`), as sentences; empty when they agree. The migrations run in an
 * empty in-memory database, as the storage runs them (so a `createTable` is rendered as the
 * storage renders it), and the table is read back with `PRAGMA table_info`; see
 * `tableAgreementProblems` for what is compared. Meant for hand-written DDL, which nothing else
 * holds to the record: `expect(yield* migratedTableProblems(shard)).toEqual([])`.
 */
export const migratedTableProblems = (shard: Shard): Effect.Effect<ReadonlyArray<string>> =>
  Effect.promise(async () => {
    const expected = tableDefinitionOf(shard)
    if (Result.isFailure(expected)) return [`its table cannot be derived from its record: ${expected.failure}`]
    const SQL = await initSqlJs()
    const db = new SQL.Database()
    try {
      try {
        applyMigrations(db, shard.model, shard.migrations)
      } catch (error) {
        return [`its migrations fail: ${error instanceof Error ? error.message : String(error)}`]
      }
      return tableAgreementProblems(sqliteColumnsOf(db, shard.table), expected.success)
    } finally {
      db.close()
    }
  })

/** The columns of `table` as SQLite has them; none when there is no such table. */
const sqliteColumnsOf = (db: Database, table: string): ReadonlyArray<SqliteColumn> => {
  const statement = db.prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)")
  try {
    statement.bind([table])
    const columns: Array<SqliteColumn> = []
    while (statement.step()) {
      const [name, type, notNull, defaultValue, primaryKeyPosition] = statement.get()
      columns.push({
        name: String(name),
        type: String(type),
        notNull: notNull === 1,
        hasDefault: defaultValue !== null,
        primaryKeyPosition: Number(primaryKeyPosition)
      })
    }
    return columns
  } finally {
    statement.free()
  }
}

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

export { affinityOf, type SqliteColumn, tableAgreementProblems } from "./table-agreement.ts"
