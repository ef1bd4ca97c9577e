/**
 * Readers of shard files for tests and tools: `queryFile` runs SQL on a file with a sql.js of
 * its own, not the storage under test; `readShardFile` judges a file the CLI left (sound,
 * corrupt or missing) and reads its rows. `migratedTableProblems` checks that a shard's
 * migrations make the table its record declares.
 *
 * @module
 */
import { readFile } from "node:fs/promises"
import { type Shard, type SqlValue, tableDefinitionOf } from "@distributed-insert/shard"
import { Effect, Result } from "effect"
import initSqlJs, { type Database } from "sql.js"
import { applyMigrations } from "./sqljs-storage.ts"
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
export { affinityOf, type SqliteColumn, tableAgreementProblems } from "./table-agreement.ts"
