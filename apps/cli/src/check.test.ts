import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { orders } from "@distributed-insert/shard-orders"
import { ShardStorage } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { runCli } from "./testing.ts"

// End to end: the built CLI as a user runs it.
interface CheckJson {
  readonly shard: string
  readonly exists: boolean
  readonly integrity: "ok" | ReadonlyArray<string>
  readonly schema: string
  readonly status: "ok" | "problem"
  readonly problems: ReadonlyArray<string>
}

/** What `check --json` prints: the shards, and the databases no registered shard uses. */
interface CheckOutput {
  readonly shards: ReadonlyArray<CheckJson>
  readonly unclaimed: ReadonlyArray<{ readonly database: string; readonly location: string; readonly sidecars: ReadonlyArray<string> }> | null
}

let dataDir = ""
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "distributed-insert-check-"))
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

const check = (...args: ReadonlyArray<string>) => runCli(["check", ...args, "--data-dir", dataDir])

/** Every file in the data directory with its bytes. */
const snapshot = async () => {
  const names = (await readdir(dataDir)).sort()
  return Promise.all(names.map(async (name) => [name, await readFile(join(dataDir, name))] as const))
}

/** The orders file as a newer release of the Order plugin, with a second migration, leaves it. */
const migrateWithNewerOrders = (dir: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const database = yield* Effect.flatMap(ShardStorage, (storage) => storage.database(orders.name))
      const newer = [...orders.migrations, { version: 2, description: "add a note", sql: "ALTER TABLE orders ADD COLUMN note TEXT" }]
      yield* database.migrate(orders.model, newer)
      yield* database.persist
    }).pipe(Effect.provide(SqlJsStorage.layer({ dataDir: dir })))
  )

describe("distributed-insert check", () => {
  it("passes populated shards, exit 0, and changes no file", async () => {
    await runCli(["populate", "--data-dir", dataDir])
    const before = await snapshot()

    const human = await check()
    expect(human.code).toBe(0)
    expect(human.stdout.split("\n")[0]).toMatch(/^SHARD\s+ENGINE\s+LOCATION\s+INTEGRITY\s+SCHEMA\s+STATUS$/)
    expect(human.stdout).toMatch(/users\s+sqlite\s+\S*users\.db\s+ok\s+up to date\s+ok/)
    expect(human.stdout).toMatch(/orders\s+sqlite\s+\S*orders\.db\s+ok\s+up to date\s+ok/)
    expect(human.stderr).toBe("")

    const json = await check("--json")
    expect(json.code).toBe(0)
    const { shards: results, unclaimed }: CheckOutput = JSON.parse(json.stdout)
    expect(unclaimed).toEqual([])
    expect(results.map(({ shard, integrity, schema, status, problems }) => ({ shard, integrity, schema, status, problems }))).toEqual(
      shards.map(({ name }) => ({ shard: name, integrity: "ok", schema: "up to date", status: "ok", problems: [] }))
    )
    expect(await snapshot()).toEqual(before)
  })

  it("reports a truncated, a garbage and a newer-schema file, checks the others, exits 1, and leaves them byte-identical", async () => {
    await runCli(["populate", "--data-dir", dataDir])
    const users = await readFile(join(dataDir, "users.db"))
    await writeFile(join(dataDir, "users.db"), users.subarray(0, users.length / 2))
    await writeFile(join(dataDir, "products.db"), "certainly not an SQLite database\n".repeat(200))
    await migrateWithNewerOrders(dataDir)
    const before = await snapshot()

    const human = await check()
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/users\s+sqlite\s+\S*users\.db\s+1 problem\s+unknown\s+problem/)
    expect(human.stdout).toMatch(/products\s+sqlite\s+\S*products\.db\s+1 problem\s+unknown\s+problem/)
    expect(human.stdout).toMatch(/orders\s+sqlite\s+\S*orders\.db\s+ok\s+ahead \(unknown version 2\)\s+problem/)
    expect(human.stdout).toContain("users: cannot open: database disk image is malformed")
    expect(human.stdout).toContain("products: cannot open: file is not a database")
    expect(human.stdout).toContain("orders: schema ahead (unknown version 2): a newer Order plugin migrated this file")
    expect(human.stderr).toContain("check found problems in shards users, products, orders")

    const json = await check("--json")
    expect(json.code).toBe(1)
    const { shards: results }: CheckOutput = JSON.parse(json.stdout)
    // The three damaged shards as above; any other registered shard is checked and found sound.
    const damaged: Readonly<Record<string, readonly [string, string]>> = {
      users: ["problem", "unknown"],
      products: ["problem", "unknown"],
      orders: ["problem", "ahead (unknown version 2)"]
    }
    expect(results.map((result) => [result.shard, result.status, result.schema])).toEqual(
      shards.map(({ name }) => [name, ...(damaged[name] ?? ["ok", "up to date"])])
    )
    expect(await snapshot()).toEqual(before)
  })

  it("mentions a database file no registered shard uses, after the table, without failing or touching it; a stray file is not one", async () => {
    await runCli(["populate", "--data-dir", dataDir])
    await copyFile(join(dataDir, "users.db"), join(dataDir, "legacy.db"))
    await writeFile(join(dataDir, "notes.txt"), "not a database\n")
    await writeFile(join(dataDir, "garbage.db"), "not a database either\n")
    const legacy = await readFile(join(dataDir, "legacy.db"))
    const before = await snapshot()

    const human = await check()
    expect(human.code).toBe(0)
    expect(human.stderr).toBe("")
    const lines = human.stdout.trimEnd().split("\n")
    expect(lines.slice(-2)).toEqual(["", `unclaimed: ${join(dataDir, "legacy.db")}: no registered shard uses it; left as it is`])
    expect(lines.filter((line) => line.startsWith("unclaimed:"))).toHaveLength(1)
    expect(human.stdout).toMatch(/users\s+sqlite\s+\S*users\.db\s+ok\s+up to date\s+ok/)

    const json = await check("--json")
    expect(json.code).toBe(0)
    const output: CheckOutput = JSON.parse(json.stdout)
    expect(output.unclaimed).toEqual([{ database: "legacy", location: join(dataDir, "legacy.db"), sidecars: [] }])
    expect(output.shards.map((result) => result.status)).toEqual(shards.map(() => "ok"))

    // With a shard's problem, the problem lines come first; the exit code is the problem's alone.
    await writeFile(join(dataDir, "orders.db"), "garbage")
    const troubled = await check()
    expect(troubled.code).toBe(1)
    expect(troubled.stdout.trimEnd().split("\n").slice(-3)).toEqual([
      "orders: cannot open: file is not a database",
      "",
      `unclaimed: ${join(dataDir, "legacy.db")}: no registered shard uses it; left as it is`
    ])
    expect(troubled.stderr).toContain("check found problems in shard orders")
    await writeFile(join(dataDir, "orders.db"), before.find(([name]) => name === "orders.db")?.[1] ?? "")

    expect(await readFile(join(dataDir, "legacy.db"))).toEqual(legacy)
    expect(await snapshot()).toEqual(before)
  })

  it("judges only the selected shards: a healthy selection exits 0 whatever the others' state", async () => {
    await runCli(["populate", "--data-dir", dataDir])
    await writeFile(join(dataDir, "orders.db"), "garbage")
    const selected = await check("--shard", "User", "--shard", "products", "--json")
    expect(selected.code).toBe(0)
    expect((JSON.parse(selected.stdout) as CheckOutput).shards.map((result) => result.shard)).toEqual(["users", "products"])
    expect((await check("--shard", "orders")).code).toBe(1)
  })

  it("reports missing files without creating them, or the data directory", async () => {
    const nowhere = join(dataDir, "nowhere")
    const result = await runCli(["check", "--data-dir", nowhere])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/users\s+sqlite\s+\S*users\.db \(missing\)\s+-\s+behind by 1\s+problem/)
    expect(result.stdout).toContain("users: the database does not exist yet (no file, or no schema on its PostgreSQL server): migrate or populate creates it")
    expect(await readdir(dataDir)).toEqual([])
  })

  it("a data directory that cannot be listed fails, after printing the shards, with unclaimed null in JSON", async () => {
    const notADirectory = join(dataDir, "data")
    await writeFile(notADirectory, "a file")
    const result = await runCli(["check", "--json", "--data-dir", notADirectory])
    expect(result.code).toBe(1)
    const output: CheckOutput = JSON.parse(result.stdout)
    expect(output.shards.map((shard) => shard.status)).toEqual(shards.map(() => "problem"))
    expect(output.unclaimed).toBeNull()
    expect(result.stderr).toContain(`read failed for the storage (${notADirectory}): cannot list the data directory: ENOTDIR`)
  })

  it("an unknown shard is bad usage: exit 2", async () => {
    const result = await check("--shard", "nope")
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('unknown shard or model "nope"')
  })
})
