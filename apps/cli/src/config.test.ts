import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { commands } from "./cli.ts"
import { CONFIG_FILE_NAME } from "./config/config-file.ts"
import { shards } from "./plugins.ts"
import { parseJsonReport, runCli } from "./testing.ts"
import { expectedSampleLoad } from "./testing-registry.ts"

// Database locations by configuration, end to end: the built CLI run from a temp folder (its
// INIT_CWD), with the configuration file there or named by --config, and --database.

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-config-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The CLI run from `dir`, as a user there would, with no data directory from the environment. */
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  runCli(args, { env: { INIT_CWD: dir, DISTRIBUTED_INSERT_DATA_DIR: "", ...env } })

const at = (...path: ReadonlyArray<string>) => join(dir, ...path)
const entries = (path: string) => readdir(path).then((names) => names.sort(), () => [])
const writeConfig = async (config: unknown, path = at(CONFIG_FILE_NAME)) => {
  await mkdir(join(path, ".."), { recursive: true })
  await writeFile(path, typeof config === "string" ? config : JSON.stringify(config))
}

/** The registered shard named `name`: the seed's three always are. */
const shardNamed = (name: string) => {
  const found = shards.find((shard) => shard.name === name)
  if (found === undefined) throw new Error(`no shard ${name} is registered`)
  return found
}
const users = expectedSampleLoad(shardNamed("users"))
const others = shards.filter((shard) => shard.name !== "users").map((shard) => shard.name)
const databaseNames = shards.map((shard) => shard.name).join(", ")

/** Preloaded in the CLI's process, and so in its worker threads: each worker says its shard and its storage's backend on stderr. */
const SAY_WORKERS =
  "data:text/javascript,import{isMainThread,workerData}from'node:worker_threads';" +
  "if(!isMainThread)process.stderr.write(['worker',workerData.shard,workerData.storage.backend].join(' ')+'\\n')"

/** `shards --json`'s entry of shard `name`. */
const listed = async (args: ReadonlyArray<string>, name: string) => {
  const result = await run(["shards", "--json", ...args])
  const found = (JSON.parse(result.stdout) as { shards: ReadonlyArray<Record<string, unknown>> }).shards.find((entry) => entry["shard"] === name)
  return found
}

describe("--database NAME=LOCATION", () => {
  it("loads a database at the file given, and nowhere else: the data directory gets nothing of it", async () => {
    const elsewhere = at("some", "other", "path.db")
    const loaded = await run(["populate", "--json", "--database", `users=${elsewhere}`])
    expect(loaded.code).toBe(0)
    const report = parseJsonReport(loaded.stdout)
    expect(report.shards.find((shard) => shard.shard === "users")).toMatchObject({ location: elsewhere, counts: users.counts })
    expect(await entries(at("some", "other"))).toEqual(["path.db"])
    // Nothing of users in the data directory: neither its file nor its lock.
    expect(await entries(at("data"))).toEqual(others.map((name) => `${name}.db`).sort())

    // Every reader finds it there with the same flag, and says where.
    const shardsRun = await run(["shards", "--database", `users=${elsewhere}`])
    expect(shardsRun.stdout).toMatch(new RegExp(`^users +User +sqlite +some/other/path\\.db +${users.rows} +1/1$`, "m"))
    const list = await run(["list", "User", "--limit", "2", "--database", "users=some/other/path.db"])
    expect(list.stdout).toContain("User rows from some/other/path.db (first 2):")
    expect((await run(["get", "User", "1", "--json", "--database", `users=${elsewhere}`])).stdout).toContain('"name": "Alice"')
    expect((await run(["check", "--database", `users=${elsewhere}`])).code).toBe(0)
    // Without it, users is the data directory's, which has none.
    expect(await listed([], "users")).toMatchObject({ location: at("data", "users.db"), exists: false })
  })

  it("--workers on: the worker thread loads the database at the file given, and the data directory gets nothing of it", async () => {
    const loaded = await runCli(["populate", "--quiet", "--json", "--workers", "on", "--shard", "users", "--database", "users=elsewhere/u.db"], {
      env: { INIT_CWD: dir, DISTRIBUTED_INSERT_DATA_DIR: "" },
      nodeOptions: ["--import", SAY_WORKERS]
    })
    expect(loaded.code).toBe(0)
    expect(loaded.stderr).toBe("worker users sqljs\n")
    expect(parseJsonReport(loaded.stdout).shards).toMatchObject([{ shard: "users", location: at("elsewhere", "u.db"), counts: users.counts, error: null }])
    expect(await entries(at("elsewhere"))).toEqual(["u.db"])
    expect(await entries(at("data"))).toEqual([])
  })

  it("populate refuses a --report that is a file of a database placed elsewhere, with or without PostgreSQL beside it", async () => {
    await writeConfig({ databases: { products: "archive/products.db" } })
    for (const extra of [[], ["--database", "users=postgres://app@127.0.0.1:1/x"]]) {
      for (const [report, role] of [["archive/products.db", "the shard file of products"], ["archive/products.db.lock", "the lock file of shard products"]]) {
        const refused = await run(["populate", "--quiet", "--shard", "orders", "--report", report ?? "", ...extra])
        expect(refused.code).toBe(1)
        expect(refused.stderr).toBe(`error: cannot write results to ${at(report ?? "")}: it is ${role}: write the report to another file\n`)
      }
    }
    // Nothing loaded: the locks taken before the report was refused are gone with the run.
    expect(await entries(at("data"))).toEqual([])
    expect(await entries(at("archive"))).toEqual([])
  })

  it("is relative to where the command runs, and wins over the configuration file and --data-dir", async () => {
    await writeConfig({ dataDir: "from-config", databases: { users: "configured/users.db" } })
    expect(await listed(["--database", "users=flagged/u.db", "--data-dir", "flag-dir"], "users")).toMatchObject({ location: at("flagged", "u.db") })
    expect(await listed(["--data-dir", "flag-dir"], "users")).toMatchObject({ location: at("configured", "users.db") })
    expect(await listed(["--data-dir", "flag-dir"], "orders")).toMatchObject({ location: at("flag-dir", "orders.db") })
    expect(await listed([], "orders")).toMatchObject({ location: at("from-config", "orders.db") })
    expect(await listed([], "orders")).toMatchObject({ engine: "sqlite" })
    // The environment variable stands for --data-dir, so it too wins over the file's dataDir.
    const fromEnv = await run(["shards", "--json"], { DISTRIBUTED_INSERT_DATA_DIR: "env-dir" })
    expect(fromEnv.stdout).toContain(JSON.stringify(at("env-dir", "orders.db")))
  })

  it("refuses a name no shard's routing uses, listing those it does, a name given twice, and a spec without NAME=", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--database", "accounts=x.db"], `error: --database accounts=...: no registered shard's routing uses a database named "accounts" (the databases are ${databaseNames})`],
      [["--database", "users=a.db", "--database", "users=b.db"], "error: --database users=...: database users is given twice"],
      [["--database", "users"], "error: --database: expected NAME=LOCATION"],
      [["--database", "users="], "error: --database users=...: a location cannot be empty"],
      [["--database", "users=mysql://u@h/db"], "error: --database users=...: mysql:// is not a kind of location this program knows"],
      [["--database", `users=${join("data", "orders.db")}`], "error: databases users and orders would both be data/orders.db (users from --database, orders from the default <data-dir>/<name>.db)"]
    ]
    for (const [args, message] of cases) {
      for (const command of ["populate", "shards"]) {
        const result = await run([command, ...args])
        expect(result.code, `${command} ${args.join(" ")}`).toBe(2)
        expect(result.stderr).toContain(message)
        expect(result.stderr).toContain(`See 'distributed-insert ${command} --help'.`)
        expect(result.stdout).toBe("")
      }
    }
    // Refused before anything is opened or created.
    expect(await entries(dir)).toEqual([])
  })
})

describe(`the configuration file (${CONFIG_FILE_NAME}, or --config FILE)`, () => {
  it("is read from where the command runs: its locations and dataDir relative to its own folder", async () => {
    await writeConfig({ dataDir: "store", databases: { products: "archive/products.db" } })
    const loaded = await run(["populate", "--quiet"])
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toContain("products (Product) → archive/products.db")
    expect(await entries(at("archive"))).toEqual(["products.db"])
    expect(await entries(at("store"))).toEqual(shards.filter((shard) => shard.name !== "products").map((shard) => `${shard.name}.db`).sort())
    expect(await entries(at("data"))).toEqual([])
    const table = await run(["shards"])
    expect(table.stdout).toMatch(/^products +Product +sqlite +archive\/products\.db +\d+ +1\/1$/m)
    expect(table.stdout).toMatch(/^users +User +sqlite +store\/users\.db +\d+ +1\/1$/m)
  })

  it("--config FILE: paths in it are relative to that file's folder, not to where the command runs", async () => {
    await writeConfig({ dataDir: "dbs", databases: { users: "../archive/users.db" } }, at("conf", "app.json"))
    // A file in the current folder is not read when --config names another.
    await writeConfig({ databases: { users: "not-this.db" } })
    const loaded = await run(["populate", "--quiet", "--json", "--config", join("conf", "app.json")])
    expect(loaded.code).toBe(0)
    const report = parseJsonReport(loaded.stdout)
    expect(report.shards.find((shard) => shard.shard === "users")?.location).toBe(at("archive", "users.db"))
    expect(report.shards.find((shard) => shard.shard === "orders")?.location).toBe(at("conf", "dbs", "orders.db"))
    expect(await entries(dir)).toEqual(["archive", "conf", CONFIG_FILE_NAME])
  })

  it("a missing --config file is an error; a missing default file is not", async () => {
    const missing = await run(["shards", "--config", "nope.json"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe("error: config file nope.json: it does not exist (given with --config)\nSee 'distributed-insert shards --help'.\n")
    expect((await run(["shards"])).code).toBe(0)
    const directory = await run(["shards", "--config", "."])
    expect(directory.stderr).toContain("error: config file .: it is not a regular file")
  })

  it("refuses a malformed file, naming it and the offending key, before anything is opened", async () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ datadir: "x" }, 'unknown key "datadir": the keys are "dataDir" and "databases"'],
      [{ databases: { users: 42 } }, "databases.users: expected a location, as a string: a file path or a postgres:// URL"],
      [{ databases: ["users.db"] }, "databases: expected an object of database names and their locations"],
      [{ dataDir: false }, "dataDir: expected a directory path, as a string"],
      [{ databases: { accounts: "a.db" } }, `databases.accounts: no registered shard's routing uses a database named "accounts" (the databases are ${databaseNames})`],
      [{ databases: { users: "" } }, "databases.users: a location cannot be empty"],
      [{ databases: { users: "postgres://u:top secret@h:x/db" } }, "databases.users: not a valid PostgreSQL URL"],
      [["users.db"], "it must hold one JSON object"],
      ['{ "databases": { "users": "a.db", } }', "not valid JSON: "]
    ]
    for (const [config, reason] of cases) {
      await writeConfig(config)
      for (const command of ["populate", "migrate", "list"]) {
        const result = await run(command === "list" ? [command, "User"] : [command])
        expect(result.code, JSON.stringify(config)).toBe(2)
        expect(result.stderr).toContain(`error: config file ${CONFIG_FILE_NAME}: ${reason}`)
        expect(result.stderr).not.toContain("secret")
      }
      expect(await entries(dir)).toEqual([CONFIG_FILE_NAME])
    }
  })
})

describe("a PostgreSQL location's password", () => {
  // No server listens on port 1: its databases fail, each alone, naming their location.
  // Whatever prints that location, the password never shows.
  const secretUrl = "postgres://u:topsecret@127.0.0.1:1/x"
  const shown = "postgres://u@127.0.0.1:1/x"

  it("is never printed: not by any command, in text or JSON, nor in the report file, with workers or without", async () => {
    await writeConfig({ databases: { users: secretUrl, products: "postgresql://app@127.0.0.1:1/y?sslmode=disable&password=topsecret" } })
    const report = at("report.ndjson")
    const runs = [
      ["populate", "--quiet"],
      ["populate", "--quiet", "--json", "--report", report, "--workers", "on"],
      ["populate", "--quiet", "--workers", "off", "--report", report],
      ["migrate"],
      ["migrate", "--json"],
      ["shards"],
      ["shards", "--json"],
      ["check"],
      ["check", "--json"],
      ["list", "User"],
      ["list", "User", "--json"],
      ["get", "User", "1"],
      ["get", "Product", "1", "--json"],
      ["shards", "--database", `users=${secretUrl}z`],
      ["populate", "--database", "users=postgres://u:topsecret@h:port/db"]
    ]
    const outputs: Array<string> = []
    for (const args of runs) {
      const result = await run(args)
      outputs.push(`${args.join(" ")}\n${result.stdout}\n${result.stderr}`)
      expect(result.stdout + result.stderr, args.join(" ")).not.toContain("topsecret")
    }
    expect(await readFile(report, "utf8")).not.toContain("topsecret")
    // The location is shown, without the password.
    const all = outputs.join("\n")
    expect(all).toContain(`users (User) → ${shown}`)
    expect(all).toMatch(new RegExp(`^users +User +postgres +${shown.replaceAll(".", "\\.")} +- +- +the PostgreSQL server of ${shown.replaceAll(".", "\\.")} is not reachable`, "m"))
    expect(all).toContain(`"location": "${shown}"`)
    // The engine reports its databases' locations itself, a `password=` parameter dropped from them.
    expect(all).toContain("postgresql://app@127.0.0.1:1/y?sslmode=disable")
    expect(all).toContain(`error: shard users: open failed for shard users (${shown}): the PostgreSQL server of ${shown} is not reachable`)
  })

  it("a mixed configuration: the files' shards load, in worker threads too, and each PostgreSQL one fails alone (exit 1)", async () => {
    await writeConfig({ databases: { users: secretUrl, orders: "elsewhere/orders.db" } })
    for (const workers of ["on", "off"]) {
      const loaded = await runCli(["populate", "--quiet", "--json", "--reset", "--workers", workers], {
        env: { INIT_CWD: dir, DISTRIBUTED_INSERT_DATA_DIR: "" },
        nodeOptions: ["--import", SAY_WORKERS]
      })
      expect(loaded.code, workers).toBe(1)
      // The files' shards went to worker threads, given the storage by database; users (PostgreSQL, failing) stayed here.
      const inWorkers = others.map((name) => `worker ${name} by-database`)
      expect(loaded.stderr.split("\n").filter((line) => line.startsWith("worker ")).sort()).toEqual(workers === "on" ? inWorkers.sort() : [])
      const report = parseJsonReport(loaded.stdout)
      for (const shard of report.shards) {
        if (shard.shard === "users") expect(shard).toMatchObject({ location: shown, error: { operation: "open" } })
        else expect(shard, `${shard.shard} with workers ${workers}`).toMatchObject({ error: null, counts: expectedSampleLoad(shardNamed(shard.shard)).counts })
      }
      expect(report.shards.find((shard) => shard.shard === "orders")?.location).toBe(at("elsewhere", "orders.db"))
    }
    expect(await entries(at("elsewhere"))).toEqual(["orders.db"])
    expect(await entries(at("data"))).toEqual(others.filter((name) => name !== "orders").map((name) => `${name}.db`).sort())
  })
})

describe("--help of every command that opens databases", () => {
  it.each(commands.filter((entry) => entry.help.name !== "generate").map((entry) => [entry.help.name] as const))("%s lists --config and --database", async (name) => {
    const result = await run([name, "--help"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^ {2}--database NAME=LOCATION +Where database NAME is/m)
    expect(result.stdout).toMatch(/^ {2}--config FILE +Configuration file/m)
    expect(result.stdout.replace(/\n {20,}/g, " ")).toMatch(/--data-dir DIR +.*\[default: the config file's dataDir, else \.\/data\] \[env: DISTRIBUTED_INSERT_DATA_DIR\]/)
    for (const line of result.stdout.split("\n").filter((text) => !text.startsWith("  distributed-insert "))) expect(line.length).toBeLessThanOrEqual(100)
  })
})
