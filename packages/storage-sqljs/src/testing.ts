/**
 * Readers of shard files for tests and tools: `queryFile` runs SQL on a file with a sql.js of
 * its own, not the storage under test; `readShardFile` judges a file the CLI left (sound,
 * corrupt or missing) and reads its rows.
 *
 * @module
 */
import { readFile } from "node:fs/promises"
import type { SqlValue } from "@distributed-insert/shard"
import { Effect } from "effect"
import initSqlJs from "sql.js"

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
