import { existsSync } from "node:fs"
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { durableThroughByShard } from "@distributed-insert/pipeline"
import { seedShards } from "@distributed-insert/seed-shards"
import { createTestDatabase, skipWithoutPg, type TestDatabase } from "@distributed-insert/storage-pg/testing"
import pg from "pg"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type CliRun, parseJsonReport, runCli } from "./testing.ts"
import { comparableReport, pgRows, psql, reportFileRecords, shardNamed, sqliteRows } from "./testing-postgres.ts"
import { seedShardArgs } from "./testing-registry.ts"

// The CLI on PostgreSQL shards, end to end: the built bundle as a user runs it, against the test
// servers (. .ci/postgres.sh), each test on databases of its own, created and dropped here. The
// same loads on sql.js files are the reference: same reports record for record, same rows, read
// with each engine's own client (psql, the sqlite3 shell).

const SEED = seedShards.map((shard) => shard.name)

let dir = ""
const made: Array<TestDatabase> = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-pg-cli-"))
})
afterEach(async () => {
  await Promise.all(made.splice(0).map((database) => database.drop()))
  await rm(dir, { recursive: true, force: true })
})

/** A new database on test server `server`, dropped after the test. */
const database = async (server: "first" | "second" = "first"): Promise<TestDatabase> => {
  const created = await createTestDatabase(server, "di_cli")
  made.push(created)
  return created
}

/** `--database NAME=URL` for each of `names`, all in the one PostgreSQL database `url` (a schema each). */
const onPg = (url: string, names: ReadonlyArray<string> = SEED) => names.flatMap((name) => ["--database", `${name}=${url}`])

const cli = async (args: ReadonlyArray<string>): Promise<CliRun> => runCli(args)

/** The schemas of a PostgreSQL database other than PostgreSQL's own: the shard databases it holds. */
const schemasOf = async (url: string) =>
  (await psql(url, "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public') ORDER BY 1"))
    .split("\n")
    .filter((line) => line !== "")

describe.skipIf(skipWithoutPg())("the CLI on PostgreSQL shards", () => {
  it("gives the seed's 26/30 report record for record as on files, the same rows, and PostgreSQL's own unique violations on the second run", async () => {
    const pgDb = await database()
    const files = join(dir, "files")
    const elsewhere = join(dir, "pg-data")
    const onFiles = (extra: ReadonlyArray<string> = []) => cli(["populate", ...seedShardArgs, "--json", "--data-dir", files, ...extra])
    const onServer = () => cli(["populate", ...seedShardArgs, "--json", "--data-dir", elsewhere, ...onPg(pgDb.url)])

    const [fileRun, pgRun] = await Promise.all([onFiles(), onServer()])
    expect([fileRun.code, pgRun.code], pgRun.stderr).toEqual([0, 0])
    const pgReport = parseJsonReport(pgRun.stdout)
    expect(pgReport.summary).toMatchObject({ processed: 30, inserted: 26, invalid: 4, failed: 0, failedShards: 0 })
    expect(comparableReport(pgReport)).toEqual(comparableReport(parseJsonReport(fileRun.stdout)))
    expect(pgReport.shards.map((shard) => shard.location)).toEqual(SEED.map(() => pgDb.url.replace(/:[^:@/]*@/, "@")))

    for (const name of SEED) {
      const shard = shardNamed(name)
      const fromFile = await sqliteRows(join(files, `${name}.db`), shard)
      expect(fromFile.rows.length).toBeGreaterThan(0)
      expect(await pgRows(pgDb.url, shard, fromFile.reals), name).toEqual(fromFile.rows)
    }
    // The rows are on the server and nowhere else: no file was made for them.
    expect(existsSync(elsewhere) ? await readdir(elsewhere) : []).toEqual([])
    expect(await schemasOf(pgDb.url)).toEqual([...SEED].sort())

    const [fileAgain, pgAgain] = await Promise.all([onFiles(), onServer()])
    expect(pgAgain.code).toBe(fileAgain.code)
    const fileSecond = parseJsonReport(fileAgain.stdout)
    const pgSecond = parseJsonReport(pgAgain.stdout)
    expect(pgSecond.summary).toMatchObject({ processed: 30, inserted: 0, invalid: 4, failed: 26 })
    let asOnFiles = JSON.stringify(comparableReport(fileSecond))
    for (const [at, shard] of pgSecond.shards.entries()) {
      const { table, primaryKey } = shardNamed(shard.shard)
      const message = `duplicate key value violates unique constraint "${table}_pkey"`
      const refused = (shard.records ?? []).filter((record) => record.status === "failed")
      expect(refused.length).toBe(fileSecond.shards[at]?.counts.failed)
      for (const record of refused) {
        expect(record.errors).toEqual([message])
        expect(record.issues).toEqual([{ kind: "database", field: primaryKey, rule: "unique", message }])
      }
      asOnFiles = asOnFiles.replaceAll(`UNIQUE constraint failed: ${table}.${primaryKey}`, JSON.stringify(message).slice(1, -1))
    }
    // Record for record as on files, but for the message, which is each engine's own.
    expect(comparableReport(pgSecond)).toEqual(JSON.parse(asOnFiles))
  })

  it("loads 3 × 100k generated records with workers and without: the same outcomes, markers and rows as on files", async () => {
    const generated = join(dir, "generated")
    const generating = await cli(["generate", "--count", "100000", "--seed", "11", "--out", generated])
    expect(generating.code, generating.stderr).toBe(0)
    const inputs = SEED.flatMap((name) => ["--input", `${name}=${join(generated, `${name}.ndjson`)}`])
    const [withWorkers, withoutWorkers] = [await database(), await database()]
    const load = (name: string, extra: ReadonlyArray<string>) =>
      cli(["populate", "--json", "--quiet", "--data-dir", join(dir, name), "--report", join(dir, `${name}.ndjson`), ...inputs, ...extra])
    const runs = await Promise.all([
      load("files", ["--workers", "on"]),
      load("pg-workers", ["--workers", "on", ...onPg(withWorkers.url)]),
      load("pg-no-workers", ["--workers", "off", ...onPg(withoutWorkers.url)])
    ])
    for (const run of runs) expect(run.code, run.stderr).toBe(0)
    const [fileReport, ...pgReports] = runs.map((run) => comparableReport(parseJsonReport(run.stdout)))
    for (const report of pgReports) expect(report).toEqual(fileReport)

    const fileRecords = await reportFileRecords(join(dir, "files.ndjson"))
    expect(fileRecords.length).toBe(300_000)
    for (const name of ["pg-workers", "pg-no-workers"]) {
      expect(JSON.stringify(await reportFileRecords(join(dir, `${name}.ndjson`)))).toBe(JSON.stringify(fileRecords))
      // Commit = durable: each shard's markers reach its last record.
      expect([...(await durableThroughByShard(join(dir, `${name}.ndjson`))).entries()].sort()).toEqual(SEED.map((shard) => [shard, 100_000]).sort())
    }

    for (const name of SEED) {
      const shard = shardNamed(name)
      const fromFile = await sqliteRows(join(dir, "files", `${name}.db`), shard)
      expect(fromFile.rows.length).toBeGreaterThan(85_000)
      for (const { url } of [withWorkers, withoutWorkers]) {
        const fromPg = await pgRows(url, shard, fromFile.reals)
        // Compared whole, as one string: a mismatch shows where without 100k-line diffs.
        expect(fromPg.length).toBe(fromFile.rows.length)
        expect(fromPg.join("\n") === fromFile.rows.join("\n"), `${name}: rows on PostgreSQL equal to the file's`).toBe(true)
      }
    }
  }, 120_000)

  it("works with a mixed configuration file: users on PostgreSQL, products and orders in files, each where it belongs", async () => {
    const pgDb = await database()
    const config = join(dir, "mixed.json")
    await writeFile(config, JSON.stringify({ dataDir: "db", databases: { users: pgDb.url } }))
    const run = await cli(["populate", ...seedShardArgs, "--json", "--config", config])
    expect(run.code, run.stderr).toBe(0)
    const report = parseJsonReport(run.stdout)
    expect(report.summary).toMatchObject({ processed: 30, inserted: 26, invalid: 4, failed: 0 })
    expect(report.shards.map((shard) => [shard.shard, shard.location])).toEqual([
      ["users", pgDb.url.replace(/:[^:@/]*@/, "@")],
      ["products", join(dir, "db", "products.db")],
      ["orders", join(dir, "db", "orders.db")]
    ])
    expect(await schemasOf(pgDb.url)).toEqual(["users"])
    expect((await readdir(join(dir, "db"))).filter((name) => name.endsWith(".db")).sort()).toEqual(["orders.db", "products.db"])
    expect((await psql(pgDb.url, "SELECT count(*) FROM users.users")).trim()).toBe("9")

    const listed = JSON.parse((await cli(["shards", "--json", "--config", config])).stdout)
    expect(listed.shards.map((shard: { shard: string; engine: string; rows: number }) => [shard.shard, shard.engine, shard.rows])).toEqual([
      ["users", "postgres", 9],
      ["products", "sqlite", 9],
      ["orders", "sqlite", 8]
    ])
  })

  it.skipIf(skipWithoutPg("second"))("works with shards on two servers: users on one, orders on the other, products in a file", async () => {
    const [first, second] = [await database("first"), await database("second")]
    const data = join(dir, "data")
    const args = ["--data-dir", data, "--database", `users=${first.url}`, "--database", `orders=${second.url}`]
    const run = await cli(["populate", ...seedShardArgs, "--json", ...args])
    expect(run.code, run.stderr).toBe(0)
    expect(parseJsonReport(run.stdout).summary).toMatchObject({ processed: 30, inserted: 26, invalid: 4, failed: 0 })
    expect(await schemasOf(first.url)).toEqual(["users"])
    expect(await schemasOf(second.url)).toEqual(["orders"])
    expect(await readdir(data)).toEqual(["products.db"])
    expect((await psql(first.url, "SELECT string_agg(id::text, ',' ORDER BY id) FROM users.users")).trim()).toBe("1,2,3,4,5,6,7,8,9")
    expect((await psql(second.url, "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders.orders")).trim()).toBe("1,2,3,4,5,6,7,10")
    const got = await cli(["get", "Order", "10", "--json", ...args])
    expect(got.code, got.stderr).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ id: 10, user_id: 10, product_id: 11, quantity: 2 })
  })

  it("lets one writer at a time write a PostgreSQL shard (--wait-lock), and never blocks readers", async () => {
    const pgDb = await database()
    const args = ["--data-dir", join(dir, "data"), ...onPg(pgDb.url)]
    expect((await cli(["populate", "--quiet", ...seedShardArgs, ...args])).code).toBe(0)
    // Another writer of users, as storage-pg takes it: the session-level advisory lock of its name.
    const holder = new pg.Client({ connectionString: pgDb.url })
    await holder.connect()
    try {
      await holder.query("SELECT pg_advisory_lock(hashtextextended('distributed-insert shard database ' || $1, 0))", ["users"])
      const refused = await cli(["populate", "--json", "--quiet", "--shard", "users", "--shard", "products", "--on-conflict", "skip", "--wait-lock", "0.5", ...args])
      expect(refused.code).toBe(1)
      const report = parseJsonReport(refused.stdout)
      expect(report.shards.find((shard) => shard.shard === "users")?.error?.operation).toBe("lock")
      expect(report.shards.find((shard) => shard.shard === "products")?.counts.skipped).toBe(9)
      expect(refused.stderr).toContain("is being written by another run")
      // Readers take no lock: they read what is committed while the writer holds it.
      const [listed, got, shards, checked] = await Promise.all([
        cli(["list", "User", "--json", ...args]),
        cli(["get", "User", "3", "--json", ...args]),
        cli(["shards", "--json", ...args]),
        cli(["check", "--json", ...args])
      ])
      expect([listed.code, got.code, shards.code], listed.stderr + got.stderr + shards.stderr).toEqual([0, 0, 0])
      expect(JSON.parse(got.stdout)).toMatchObject({ id: 3, name: "Charlie" })
      expect(checked.code, checked.stdout + checked.stderr).toBe(0)
      // With time to wait, a writer waits for the lock and loads once it is let go.
      const waiting = cli(["populate", "--json", "--quiet", "--shard", "users", "--on-conflict", "skip", "--wait-lock", "20", ...args])
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      await holder.query("SELECT pg_advisory_unlock_all()")
      const waited = await waiting
      expect(waited.code, waited.stderr).toBe(0)
      expect(waited.stderr).toContain("waiting up to 20 s")
      expect(parseJsonReport(waited.stdout).summary).toMatchObject({ skipped: 9, invalid: 1 })
    } finally {
      await holder.end()
    }
  })
})
