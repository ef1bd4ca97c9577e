/**
 * How fast the PostgreSQL engine inserts, against two yardsticks, in one run on one fresh
 * database of the test server (DISTRIBUTED_INSERT_TEST_PG):
 *
 * - engine: `ShardDatabase.insertBatch` of `@distributed-insert/storage-pg` (COPY into staging,
 *   one set-based INSERT per batch), the users shard's derived table, batches of 10,000;
 * - naive: one INSERT per row, each under its own SAVEPOINT (three round trips a row), one
 *   transaction per batch, on one connection: what per-row atomicity costs done the obvious way;
 * - psql: `psql \copy` of the same rows, from a file written beforehand (not timed), into the same
 *   table without the per-row outcomes: the floor of what loading through the protocol costs.
 *
 * Each goes into a table of its own (a schema of its own, as the engine keeps each shard
 * database), created empty just before. Prints rows/s and the ratios, and the machine's load.
 *
 * Then, the engine inserting the first `--rerun-rows` rows again in `fail` mode, each refused with
 * PostgreSQL's own unique violation (the row-by-row path): what a second run of the same input costs.
 *
 *   node --conditions=source scripts/measure-insert.ts [--rows 1000000] [--naive-rows 1000000] [--rerun-rows 100000] [--batch 10000]
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { type Row, ShardName } from "@distributed-insert/shard"
import { users } from "@distributed-insert/shard-users"
import { ShardStorage } from "@distributed-insert/storage"
import { Context, Effect, Layer } from "effect"
import pg from "pg"
import { copyText } from "../src/copy-text.ts"
import { PgStorage } from "../src/pg-storage.ts"
import { createTestDatabase } from "../src/testing.ts"

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "naive-rows": { type: "string", default: "1000000" },
    "rerun-rows": { type: "string", default: "100000" },
    batch: { type: "string", default: "10000" }
  }
})
const total = Number(values.rows)
const naiveTotal = Math.min(total, Number(values["naive-rows"]))
const batchSize = Number(values.batch)
const rerunTotal = Math.min(total, Number(values["rerun-rows"]))

const firstNames = ["Alice", "Bob", "Charlie", "David", "Eve", "Frank", "Grace", "Henry", "Iris", "Jane"]
const lastNames = ["Martin", "Smith", "Garcia", "Chen", "Okafor", "Novak", "Silva", "Kim", "Dubois", "Ivanova"]
/** Users as the users shard's generator makes them: a name and an email that is unique by its id. */
const rows: Array<Row> = Array.from({ length: total }, (_, index) => {
  const id = index + 1
  const first = firstNames[id % 10] ?? ""
  const last = lastNames[Math.floor(id / 10) % 10] ?? ""
  return [id, `${first} ${last}`, `${first}.${last}.${id}@example.com`.toLowerCase()]
})
const batches = (list: ReadonlyArray<Row>): Array<ReadonlyArray<Row>> =>
  Array.from({ length: Math.ceil(list.length / batchSize) }, (_, index) => list.slice(index * batchSize, (index + 1) * batchSize))

const seconds = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9
const rate = (count: number, elapsed: number): string => `${Math.round(count / elapsed).toLocaleString("en-US")} rows/s`

const database = await createTestDatabase("first", "di_measure")
const ddl = (schema: string) => `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL)`
const results: Record<string, { readonly rows: number; readonly seconds: number }> = {}
try {
  console.log(`PostgreSQL ${execFileSync("psql", [database.url, "-Atc", "SHOW server_version"]).toString().trim()}, ${total.toLocaleString("en-US")} users, batches of ${batchSize}`)
  console.log(`load before: ${loadavg().map((load) => load.toFixed(2)).join(" ")}`)

  // The engine, through its public layer.
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const storage = yield* Effect.map(Layer.build(PgStorage.layer({ databases: { users: database.url }, writer: { waitSeconds: 0 } })), Context.get(ShardStorage))
        const shard = yield* storage.database(ShardName.make("users"))
        yield* shard.migrate(users.model, users.migrations)
        const started = process.hrtime.bigint()
        for (const batch of batches(rows)) {
          const outcomes = yield* shard.insertBatch(users, batch)
          if (outcomes.some((outcome) => outcome._tag !== "Inserted")) throw new Error("a row was not inserted")
        }
        results["engine"] = { rows: total, seconds: seconds(started) }
        // The same rows again, in fail mode: every one refused with PostgreSQL's own message.
        const again = process.hrtime.bigint()
        for (const batch of batches(rows.slice(0, rerunTotal))) {
          const outcomes = yield* shard.insertBatch(users, batch, "fail")
          if (outcomes.some((outcome) => outcome._tag !== "Refused" || outcome.refusal.kind !== "unique")) throw new Error("a row was not refused as unique")
        }
        results["rerun"] = { rows: rerunTotal, seconds: seconds(again) }
      })
    )
  )
  console.log(`engine: ${rate(total, results["engine"]?.seconds ?? 1)} (${results["engine"]?.seconds.toFixed(2)} s)`)
  console.log(`engine, the same rows again in fail mode, every one refused: ${rate(rerunTotal, results["rerun"]?.seconds ?? 1)} (${rerunTotal.toLocaleString("en-US")} rows)`)

  // The naive loop: INSERT per row, a SAVEPOINT each, a transaction per batch, one connection.
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    await client.query(ddl("naive"))
    const started = process.hrtime.bigint()
    for (const batch of batches(rows.slice(0, naiveTotal))) {
      await client.query("BEGIN")
      for (const row of batch) {
        await client.query("SAVEPOINT row")
        await client.query("INSERT INTO naive.users (id, name, email) VALUES ($1, $2, $3)", [...row])
        await client.query("RELEASE SAVEPOINT row")
      }
      await client.query("COMMIT")
    }
    results["naive"] = { rows: naiveTotal, seconds: seconds(started) }
    await client.query(ddl("psqlcopy"))
  } finally {
    await client.end()
  }
  console.log(`naive: ${rate(naiveTotal, results["naive"]?.seconds ?? 1)} (${naiveTotal.toLocaleString("en-US")} rows, ${results["naive"]?.seconds.toFixed(2)} s)`)

  // psql \copy of the same rows, from a file in COPY's text format.
  const dir = mkdtempSync(join(tmpdir(), "di-measure-"))
  try {
    const file = join(dir, "users.tsv")
    writeFileSync(file, copyText(rows, 3, () => false, false))
    const started = process.hrtime.bigint()
    const copied = spawnSync("psql", [database.url, "-v", "ON_ERROR_STOP=1", "-qc", `\\copy psqlcopy.users (id, name, email) FROM '${file}'`], { encoding: "utf8" })
    results["psql"] = { rows: total, seconds: seconds(started) }
    if (copied.status !== 0) throw new Error(`psql \\copy failed: ${copied.stderr}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(`psql \\copy: ${rate(total, results["psql"]?.seconds ?? 1)} (${results["psql"]?.seconds.toFixed(2)} s)`)

  const perSecond = (key: string) => (results[key]?.rows ?? 0) / (results[key]?.seconds ?? 1)
  console.log(`engine / naive: ${(perSecond("engine") / perSecond("naive")).toFixed(1)}x; engine / psql \\copy: ${(perSecond("engine") / perSecond("psql")).toFixed(2)}x`)
  console.log(`load after: ${loadavg().map((load) => load.toFixed(2)).join(" ")}`)
} finally {
  await database.drop()
}
