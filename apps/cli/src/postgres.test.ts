import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { durableThroughByShard } from "@distributed-insert/pipeline"
import { seedShards } from "@distributed-insert/seed-shards"
import { createTestDatabase, skipWithoutPg, type TestDatabase } from "@distributed-insert/storage-pg/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type CliRun, cliPath, parseJsonReport, runCli } from "./testing.ts"
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

    const listed = JSON.parse((await cli(["shards", ...seedShardArgs, "--json", "--config", config])).stdout)
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
    // Another writer of users, as storage-pg takes it: the session-level advisory lock of its
    // name, held by a psql session until it is killed (its server process then sees the client
    // gone within 100 ms, mid-sleep, and ends, letting go of the lock).
    const holder = spawn("psql", ["-X", "-q", "-d", pgDb.url, "-c", "SET client_connection_check_interval = 100", "-c", "SELECT pg_advisory_lock(hashtextextended('distributed-insert shard database users', 0))", "-c", "SELECT pg_sleep(60)"], {
      stdio: "ignore"
    })
    const holderGone = new Promise((resolve) => holder.on("close", resolve))
    try {
      for (let waited = 0; (await psql(pgDb.url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")).trim() === "0"; waited += 20) {
        if (waited > 10_000) throw new Error("psql did not take the lock")
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
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
        cli(["shards", ...seedShardArgs, "--json", ...args]),
        cli(["check", ...seedShardArgs, "--json", ...args])
      ])
      expect([listed.code, got.code, shards.code], listed.stderr + got.stderr + shards.stderr).toEqual([0, 0, 0])
      expect(JSON.parse(got.stdout)).toMatchObject({ id: 3, name: "Charlie" })
      expect(checked.code, checked.stdout + checked.stderr).toBe(0)
      // With time to wait, a writer waits for the lock and loads once it is let go.
      const waiting = cli(["populate", "--json", "--quiet", "--shard", "users", "--on-conflict", "skip", "--wait-lock", "20", ...args])
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      holder.kill()
      await holderGone
      const waited = await waiting
      expect(waited.code, waited.stderr).toBe(0)
      expect(waited.stderr).toContain("waiting up to 20 s")
      expect(parseJsonReport(waited.stdout).summary).toMatchObject({ skipped: 9, invalid: 1 })
    } finally {
      holder.kill()
    }
  })

  it("runs every command on PostgreSQL shards: migrate, populate (CSV, JSON array, NDJSON, --on-conflict, --report), shards, check, list, get", async () => {
    const pgDb = await database()
    const args = ["--data-dir", join(dir, "data"), ...onPg(pgDb.url)]
    const migrated = await cli(["migrate", ...seedShardArgs, "--json", ...args])
    expect(migrated.code, migrated.stderr).toBe(0)
    expect(JSON.parse(migrated.stdout).map((each: { database: string; applied: ReadonlyArray<unknown>; error: unknown }) => [each.database, each.applied.length, each.error])).toEqual(
      SEED.map((name) => [name, 1, null])
    )
    const again = await cli(["migrate", ...seedShardArgs, "--json", ...args])
    expect(JSON.parse(again.stdout).map((each: { applied: ReadonlyArray<unknown> }) => each.applied.length)).toEqual(SEED.map(() => 0))

    const users = join(dir, "users.csv")
    const products = join(dir, "products.json")
    const orders = join(dir, "orders.ndjson")
    await writeFile(users, "id,name,email\n1,Ann,ann@example.com\n2,Bo,bo@example.com\n3,,nobody@example.com\n")
    await writeFile(products, JSON.stringify([{ id: 1, name: "Lamp", price: 0.1 }, { id: 2, name: "Desk", price: 1e-7 }, { id: 3, name: "Chair", price: 12345.678901234567 }]))
    await writeFile(orders, `${[{ id: 1, user_id: 1, product_id: 1, quantity: 2 }, { id: 2, user_id: 2, product_id: 2, quantity: 0 }].map((order) => JSON.stringify(order)).join("\n")}\n`)
    const inputs = ["--input", `users=${users}`, "--input", `products=${products}`, "--input", `orders=${orders}`]
    const report = join(dir, "first.ndjson")
    const loaded = await cli(["populate", "--json", "--report", report, ...inputs, ...args])
    expect(loaded.code, loaded.stderr).toBe(0)
    const first = parseJsonReport(loaded.stdout)
    expect(first.shards.map((shard) => [shard.shard, shard.counts.inserted, shard.counts.invalid, shard.durableThrough])).toEqual([
      ["users", 2, 1, 3],
      ["products", 3, 0, 3],
      ["orders", 1, 1, 2]
    ])
    // Markers follow commits: each shard's reach its last record.
    expect([...(await durableThroughByShard(report)).entries()].sort()).toEqual([["orders", 2], ["products", 3], ["users", 3]])
    expect(await psql(pgDb.url, "SELECT id, name, email FROM users.users ORDER BY id")).toBe("1|Ann|ann@example.com\n2|Bo|bo@example.com\n")
    // Doubles as given, to the last bit: PostgreSQL prints the shortest text that reads back exactly.
    expect(await psql(pgDb.url, "SELECT string_agg(price::text, ' ' ORDER BY id) FROM products.products")).toBe("0.1 1e-07 12345.678901234567\n")

    const skipped = await cli(["populate", "--json", "--on-conflict", "skip", "--input", `users=${users}`, ...args])
    expect(parseJsonReport(skipped.stdout).summary).toMatchObject({ inserted: 0, skipped: 2, invalid: 1, failed: 0 })
    await writeFile(users, "id,name,email\n2,Bob,bob@example.com\n4,Dee,dee@example.com\n")
    const replaced = await cli(["populate", "--json", "--on-conflict", "replace", "--input", `users=${users}`, ...args])
    expect(parseJsonReport(replaced.stdout).summary).toMatchObject({ inserted: 1, replaced: 1, failed: 0 })
    const refused = await cli(["populate", "--json", "--on-conflict", "fail", "--input", `users=${users}`, ...args])
    expect(refused.code).toBe(0)
    expect(parseJsonReport(refused.stdout).shards[0]?.records?.map((record) => record.errors)).toEqual(
      [1, 2].map(() => ['duplicate key value violates unique constraint "users_pkey"'])
    )
    expect(await psql(pgDb.url, "SELECT id, name FROM users.users ORDER BY id")).toBe("1|Ann\n2|Bob\n4|Dee\n")

    const shards = await cli(["shards", ...seedShardArgs, "--json", ...args])
    expect(shards.code, shards.stderr).toBe(0)
    expect(JSON.parse(shards.stdout).shards.map((shard: { shard: string; engine: string; rows: number }) => [shard.shard, shard.engine, shard.rows])).toEqual([
      ["users", "postgres", 3],
      ["products", "postgres", 3],
      ["orders", "postgres", 1]
    ])
    const listed = await cli(["list", "User", ...args])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(/2\s+Bob\s+bob@example\.com/)
    const got = await cli(["get", "User", "4", ...args])
    expect(got.stdout).toMatch(/name\s+Dee/)
    expect(JSON.parse((await cli(["get", "Product", "3", "--json", ...args])).stdout)).toEqual({ id: 3, name: "Chair", price: 12345.678901234567 })
    const missing = await cli(["get", "User", "99", ...args])
    expect([missing.code, missing.stderr]).toEqual([1, "error: User 99 not found in shard users\n"])

    const checked = await cli(["check", ...seedShardArgs, ...args])
    expect(checked.code, checked.stderr).toBe(0)
    expect(checked.stdout).toMatch(/users\s+postgres\s+\S+\s+ok\s+up to date\s+ok/)
    // A schema changed behind the storage's back: the table no longer is the one its migration made.
    await psql(pgDb.url, "ALTER TABLE users.users ALTER COLUMN name DROP NOT NULL")
    const tampered = await cli(["check", ...seedShardArgs, "--json", ...args])
    expect(tampered.code).toBe(1)
    const found = JSON.parse(tampered.stdout).shards.map((shard: { shard: string; status: string; problems: ReadonlyArray<string> }) => [shard.shard, shard.status, shard.problems])
    expect(found).toEqual([
      ["users", "problem", ["integrity: table users: column name takes NULL, but the field never does: declare it NOT NULL (made by migration User v1)"]],
      ["products", "ok", []],
      ["orders", "ok", []]
    ])
    expect(tampered.stderr).toContain("check found problems in shard users")
  })

  it("says clearly when a password is wrong or the server is not there, and never shows the password", async () => {
    const pgDb = await database()
    const secret = "Hunter2-not-the-password"
    const wrong = new URL(pgDb.url)
    wrong.password = secret
    const closed = new URL(pgDb.url)
    closed.port = "1"
    for (const [url, reason] of [
      [wrong.toString(), 'password authentication failed for user "'],
      [closed.toString(), "is not reachable: the connection was refused"]
    ] as const) {
      const args = ["--data-dir", join(dir, "data"), "--database", `users=${url}`]
      const report = join(dir, "report.ndjson")
      const runs = {
        populate: await cli(["populate", "--json", "--shard", "users", "--report", report, ...args]),
        text: await cli(["populate", "--shard", "users", ...args]),
        migrate: await cli(["migrate", "--shard", "users", ...args]),
        shards: await cli(["shards", ...args]),
        check: await cli(["check", "--json", ...args]),
        list: await cli(["list", "User", ...args]),
        get: await cli(["get", "User", "1", "--json", ...args])
      }
      for (const [command, run] of Object.entries(runs)) {
        expect(run.code, `${command}: ${run.stderr}`).toBe(1)
        expect(run.stdout + run.stderr, command).toContain(reason)
        expect(run.stdout + run.stderr, command).not.toContain(secret)
      }
      expect(parseJsonReport(runs.populate.stdout).shards[0]?.error?.operation).toBe("open")
      expect(existsSync(report) ? await readFile(report, "utf8") : "").not.toContain(secret)
    }
  })

  // Both exit 130, "interrupted", as the CLI documents it for Ctrl-C and SIGTERM alike (help.ts).
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 130]
  ] as const)("stops a PostgreSQL load on %s: exit %d, its lock let go at once, the rows exactly what the report's markers say", async (signal, code) => {
    const pgDb = await database()
    const generated = join(dir, "generated")
    expect((await cli(["generate", "--count", "60000", "--seed", "3", "--shard", "users", "--out", generated])).code).toBe(0)
    const args = ["--data-dir", join(dir, "data"), "--database", `users=${pgDb.url}`, "--input", `users=${join(generated, "users.ndjson")}`]
    const report = join(dir, "stopped.ndjson")
    const child = spawn(process.execPath, [cliPath, "populate", "--quiet", "--batch-size", "500", "--report", report, ...args], {
      env: { ...process.env, INIT_CWD: "" },
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const ended = new Promise<number | null>((resolve) => child.on("close", resolve))
    // Once a few batches are committed, mid-load.
    for (let waited = 0; (await durableThroughByShard(report)).get("users") === undefined; waited += 5) {
      if (waited > 20_000) throw new Error(`no marker after 20 s: ${stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    child.kill(signal)
    expect(await ended, stderr).toBe(code)
    const through = (await durableThroughByShard(report)).get("users") ?? 0
    expect(through).toBeGreaterThan(0)
    expect(through).toBeLessThan(60_000)
    const landed = (await reportFileRecords(report)).filter((record) => record.position <= through && record.status === "inserted")
    const ids = await psql(pgDb.url, "SELECT string_agg(id::text, ',' ORDER BY id) FROM users.users")
    expect(ids.trim(), `${signal}: rows = the records inserted through marker ${through}`).toBe(landed.map((record) => String(record.position)).join(","))
    // And the run said so on stderr, as a shard's files (here, its committed rows) hold it.
    const count = (n: number) => n.toLocaleString("en-US")
    expect(stderr).toContain(`users  stopped: records 1-${count(through)} of its input are durable (${count(landed.length)} inserted`)

    // The lock went with the process's session: a writer that will not wait takes it at once, and completes the load.
    const completed = await cli(["populate", "--json", "--quiet", "--wait-lock", "0", "--on-conflict", "skip", ...args])
    expect(completed.code, completed.stderr).toBe(0)
    const { summary } = parseJsonReport(completed.stdout)
    expect(summary.failed).toBe(0)
    expect((await psql(pgDb.url, "SELECT count(*) FROM users.users")).trim()).toBe(String(summary.inserted + summary.skipped))
  })
})
