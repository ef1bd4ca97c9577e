import type { Shard } from "@distributed-insert/shard"
import type { BetterSqlite3 } from "./better-sqlite3-module.ts"
import { databaseFileOf } from "./shard-inputs.ts"

/** Rows in each shard's table, by shard name, read from the files a contestant left in `dataDir`. */
export const countRows = (Database: BetterSqlite3, dataDir: string, shards: ReadonlyArray<Shard>): ReadonlyMap<string, number> =>
  new Map(
    shards.map((shard) => {
      const database = new Database(databaseFileOf(dataDir, shard), { readonly: true, fileMustExist: true })
      try {
        const rows: unknown = database.prepare(`SELECT count(*) FROM ${shard.table}`).pluck().get()
        if (typeof rows !== "number") throw new Error(`count(*) of ${shard.table} returned ${String(rows)}`)
        return [shard.name, rows]
      } finally {
        database.close()
      }
    })
  )
