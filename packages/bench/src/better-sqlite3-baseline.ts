/**
 * The better-sqlite3 baseline, run as its own process by the benchmark: the work `populate`
 * does, written the plain way with better-sqlite3 12. Each NDJSON file is streamed, each line
 * parsed and validated by the shard plugin itself (`shard.validate`, the CLI's own rules), and
 * the valid rows inserted with one prepared statement, in transactions of 10,000 records; one
 * shard after the other on one thread, with SQLite's default settings. `--atomicity` chooses
 * how a refused record is kept from aborting its batch (see atomicity.ts): a SAVEPOINT per
 * record (the default, the baseline) or SQLite's statement atomicity (as `populate`).
 *
 *   node dist/better-sqlite3-baseline.js --out DIR [--atomicity savepoint|statement]
 *     --input users=PATH --input products=PATH --input orders=PATH
 *
 * Prints the counts per shard as one JSON line (see baseline-counts.ts).
 */
import { parseArgs } from "node:util"
import { seedShards } from "@distributed-insert/seed-shards"
import type { Row, Shard } from "@distributed-insert/shard"
import Database from "better-sqlite3"
import { Schema } from "effect"
import { type Atomicity, atomicities, isAtomicity } from "./atomicity.ts"
import { validRow } from "./valid-row.ts"
import { BaselineCounts, type ShardCounts } from "./baseline-counts.ts"
import { createTableSql } from "./create-table-sql.ts"
import { readLineChunks } from "./line-chunks.ts"
import { databaseFileOf, parseInputArguments } from "./shard-inputs.ts"

/** As `populate`'s default `--batch-size`: records (valid or not) per transaction. */
const RECORDS_PER_TRANSACTION = 10_000

/** Inserts one valid row, inside the batch's transaction, so that a refused row leaves no trace. */
const rowInserter = (database: Database.Database, insert: Database.Statement<[Row]>, atomicity: Atomicity): ((row: Row) => void) => {
  if (atomicity === "statement") {
    // populate's way: a failed INSERT is undone by SQLite alone; the batch goes on around it.
    return (row) => {
      insert.run(row)
    }
  }
  // better-sqlite3 runs a transaction nested in another as a SAVEPOINT: a row the database
  // refuses is rolled back alone (ROLLBACK TO) and the rest of its batch still lands.
  return database.transaction((row: Row) => {
    insert.run(row)
  })
}

const loadShard = async (shard: Shard, inputPath: string, databasePath: string, atomicity: Atomicity): Promise<ShardCounts> => {
  const database = new Database(databasePath)
  try {
    database.exec(createTableSql(shard))
    const placeholders = shard.columns.map(() => "?").join(", ")
    const insert = database.prepare<[Row]>(`INSERT INTO ${shard.table} (${shard.columns.join(", ")}) VALUES (${placeholders})`)
    const insertRow = rowInserter(database, insert, atomicity)
    const counts = { shard: shard.name, inserted: 0, invalid: 0, failed: 0 }
    const loadBatch = database.transaction((lines: ReadonlyArray<string>) => {
      for (const line of lines) {
        const row = validRow(shard, line)
        if (row === undefined) {
          counts.invalid++
          continue
        }
        try {
          insertRow(row)
          counts.inserted++
        } catch (error) {
          // Only the database refusing the row (a constraint) is a per-record failure; an error
          // after which SQLite rolled the whole transaction back (SQLITE_FULL, say) is not.
          if (!(error instanceof Database.SqliteError) || !database.inTransaction) throw error
          counts.failed++
        }
      }
    })

    let batch: Array<string> = []
    for await (const lines of readLineChunks(inputPath)) {
      for (const line of lines) {
        batch.push(line)
        if (batch.length === RECORDS_PER_TRANSACTION) {
          loadBatch(batch)
          batch = []
        }
      }
    }
    if (batch.length > 0) loadBatch(batch)
    return counts
  } finally {
    database.close()
  }
}

const { values } = parseArgs({
  options: { out: { type: "string" }, atomicity: { type: "string", default: "savepoint" }, input: { type: "string", multiple: true } },
  strict: true
})
if (values.out === undefined) throw new Error("--out DIR is required")
const { atomicity } = values
if (!isAtomicity(atomicity)) throw new Error(`--atomicity must be one of ${atomicities.join(", ")}, got "${atomicity}"`)
const outDir = values.out
const shards: Array<ShardCounts> = []
for (const { shard, path } of parseInputArguments(values.input ?? [], seedShards)) {
  shards.push(await loadShard(shard, path, databaseFileOf(outDir, shard), atomicity))
}
process.stdout.write(`${JSON.stringify(Schema.encodeSync(BaselineCounts)({ shards }))}\n`)
