/**
 * The naive PostgreSQL baseline, run as its own process by the benchmark: the work `populate`
 * does, written the way a node-postgres user writes it first. Each NDJSON file is streamed
 * (the same reader as the better-sqlite3 baseline, so that the two differ by their database
 * only), each line parsed and validated by the shard plugin itself (`shard.validate`), and each
 * valid record inserted with its own INSERT, awaited, in transactions of 10,000 records (as the
 * better-sqlite3 baseline and `populate`'s default `--batch-size`); a SAVEPOINT before each
 * INSERT, RELEASE after it, ROLLBACK TO when the database refuses the row, so that a refused
 * row never undoes its neighbours. One connection per shard, the shards one after the other.
 * The INSERT is a named prepared statement (parsed once per connection), as the better-sqlite3
 * baseline prepares its statement once: the cost measured is the round trips, not re-parsing.
 * Each shard's table is created first, with the DDL the PostgreSQL engine uses (see postgres/ddl.ts).
 *
 *   node dist/pg-naive-baseline.js --database users=URL --database products=URL --database orders=URL
 *     --input users=PATH --input products=PATH --input orders=PATH [--limit N]
 *
 * `--limit N` loads only the first N records (lines) of each file. Prints the counts per shard
 * as one JSON line, as the better-sqlite3 baseline does (see baseline-counts.ts).
 */
import { parseArgs } from "node:util"
import { seedShards } from "@distributed-insert/seed-shards"
import type { Shard } from "@distributed-insert/shard"
import { Schema } from "effect"
import pg from "pg"
import { BaselineCounts, type ShardCounts } from "./baseline-counts.ts"
import { readLineChunks } from "./line-chunks.ts"
import { postgresCreateTableSql, postgresInsertSql } from "./postgres/ddl.ts"
import { parseInputArguments } from "./shard-inputs.ts"
import { validRow } from "./valid-row.ts"

const RECORDS_PER_TRANSACTION = 10_000

/** SQLSTATE class 23, integrity constraint violation (unique, not-null, check...): a refused row. */
const isRefusedRow = (error: unknown): boolean => error instanceof pg.DatabaseError && error.code?.startsWith("23") === true

const loadShard = async (shard: Shard, inputPath: string, databaseUrl: string, limit: number): Promise<ShardCounts> => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(postgresCreateTableSql(shard))
    const insert = { name: `insert-${shard.name}`, text: postgresInsertSql(shard) }
    const counts = { shard: shard.name, inserted: 0, invalid: 0, failed: 0 }
    let records = 0
    await client.query("BEGIN")
    reading: for await (const lines of readLineChunks(inputPath)) {
      for (const line of lines) {
        if (records === limit) break reading
        records++
        if (records % RECORDS_PER_TRANSACTION === 1 && records > 1) {
          await client.query("COMMIT")
          await client.query("BEGIN")
        }
        const row = validRow(shard, line)
        if (row === undefined) {
          counts.invalid++
          continue
        }
        await client.query("SAVEPOINT record")
        try {
          await client.query({ ...insert, values: [...row] })
          await client.query("RELEASE SAVEPOINT record")
          counts.inserted++
        } catch (error) {
          // Only the database refusing the row is a per-record failure; anything else (the
          // connection lost, say) ends the run.
          if (!isRefusedRow(error)) throw error
          await client.query("ROLLBACK TO SAVEPOINT record")
          counts.failed++
        }
      }
    }
    await client.query("COMMIT")
    return counts
  } finally {
    await client.end()
  }
}

/** `NAME=URL` arguments, by shard name. */
const parseDatabaseArguments = (values: ReadonlyArray<string>): ReadonlyMap<string, string> =>
  new Map(
    values.map((value) => {
      const separator = value.indexOf("=")
      if (separator <= 0) throw new Error(`--database expects NAME=URL, got "${value.replace(/:[^:@/]*@/, ":****@")}"`)
      return [value.slice(0, separator), value.slice(separator + 1)]
    })
  )

const { values } = parseArgs({
  options: { database: { type: "string", multiple: true }, input: { type: "string", multiple: true }, limit: { type: "string" } },
  strict: true
})
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit)
if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit > 0))) throw new Error(`--limit must be a positive integer, got "${values.limit}"`)
const databases = parseDatabaseArguments(values.database ?? [])
const shards: Array<ShardCounts> = []
for (const { shard, path } of parseInputArguments(values.input ?? [], seedShards)) {
  const url = databases.get(shard.name)
  if (url === undefined) throw new Error(`no --database for shard ${shard.name}`)
  shards.push(await loadShard(shard, path, url, limit))
}
process.stdout.write(`${JSON.stringify(Schema.encodeSync(BaselineCounts)({ shards }))}\n`)
