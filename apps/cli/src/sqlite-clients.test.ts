import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { existsSync, statSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "./testing.ts"

// The shard files are ordinary SQLite files that the README invites users to open with the
// sqlite3 shell. These tests run the real shell beside the CLI: its write-ahead log, the hot
// journal of a write it did not finish, and its writes during a load. Each time the CLI refuses
// the shard, saying why and how to fix it, and leaves every file as it was, so that SQLite itself
// still finds the database whole.

const sqlite3Version = spawnSync("sqlite3", ["-version"], { encoding: "utf8" })
const hasSqlite3 = sqlite3Version.status === 0
if (!hasSqlite3) console.info("skipping the sqlite3 shell tests: no sqlite3 on PATH (Debian: apt-get install sqlite3)")

let dir = ""
let dataDir = ""
const shells: Array<ChildProcess> = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-sqlite3-"))
  dataDir = join(dir, "data")
  expect((await runCli(["populate", "--quiet", "--data-dir", dataDir])).code).toBe(0)
})
afterEach(async () => {
  for (const shell of shells.splice(0)) shell.kill("SIGKILL")
  await rm(dir, { recursive: true, force: true })
})

const users = () => join(dataDir, "users.db")
/** Runs one sqlite3 shell command to its end and returns what it printed. */
const sqlite3 = (...args: ReadonlyArray<string>) => execFileSync("sqlite3", [users(), ...args], { encoding: "utf8" }).trim()

/** A sqlite3 shell on users.db that stays open, reading SQL from `script`. */
const openShell = (script: string) => {
  const shell = spawn("sqlite3", [users()], { stdio: ["pipe", "ignore", "inherit"] })
  shells.push(shell)
  shell.stdin?.write(script)
  return shell
}

/** A marker file the shell creates once the statements before it are done (its output is buffered, the file system is not). */
const committed = () => join(dir, "committed")
/** Switches users.db to WAL mode and commits a row, which stays in the log while the shell is open. */
const walInsert = () =>
  `PRAGMA journal_mode=WAL;\nINSERT INTO users VALUES (100, 'Shell', 'shell@example.com');\n.system touch '${committed()}'\n`

const waitFor = async (what: string, condition: () => boolean) => {
  const deadline = Date.now() + 20_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
const sizeOf = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? -1
const exited = (shell: ChildProcess) => new Promise((resolve) => (shell.exitCode !== null || shell.signalCode !== null ? resolve(undefined) : shell.on("exit", resolve)))

const files = async () => ({
  db: await readFile(users()),
  wal: existsSync(`${users()}-wal`) ? await readFile(`${users()}-wal`) : null,
  journal: existsSync(`${users()}-journal`) ? await readFile(`${users()}-journal`) : null
})

const populateUsers = async (...extra: ReadonlyArray<string>) => {
  const run = await runCli(["populate", "--json", "--quiet", "--data-dir", dataDir, "--shard", "users", ...extra])
  return { ...run, users: run.stdout === "" ? undefined : JSON.parse(run.stdout).shards[0] }
}

describe.skipIf(!hasSqlite3)(`beside the sqlite3 shell (${hasSqlite3 ? sqlite3Version.stdout.split(" ")[0] : "missing"})`, () => {
  it("a write-ahead log of a shell that has the shard open in WAL mode: refused, every command, until the shell is done; its row then stays", async () => {
    const shell = openShell(walInsert())
    await waitFor("the shell's commit", () => existsSync(committed()))
    expect(sizeOf(`${users()}-wal`)).toBeGreaterThan(0)
    const before = await files()

    const refused = await populateUsers()
    expect(refused.code).toBe(1)
    expect(refused.users.error.message).toContain("users.db-wal is beside it: SQLite's write-ahead log")
    expect(refused.users.error.message).toContain("PRAGMA journal_mode=DELETE")
    // Readers refuse too: the row is in the log, which sql.js cannot read.
    const listed = await runCli(["get", "User", "100", "--data-dir", dataDir])
    expect(listed.code).toBe(1)
    expect(listed.stderr).toContain("users.db-wal is beside it")
    const checked = await runCli(["check", "--data-dir", dataDir, "--shard", "users"])
    expect(checked.code).toBe(1)
    expect(await files()).toEqual(before)

    // The shell quits: SQLite folds the log into the file and removes it.
    shell.stdin?.end(".quit\n")
    await exited(shell)
    expect(existsSync(`${users()}-wal`)).toBe(false)
    const loaded = await populateUsers("--on-conflict", "skip")
    expect(loaded.code).toBe(0)
    expect(sqlite3("SELECT name FROM users WHERE id = 100")).toBe("Shell")
    expect(sqlite3("PRAGMA integrity_check")).toBe("ok")
    expect(sqlite3("SELECT count(*) FROM users")).toBe("10")
  })

  it("a write-ahead log left by a shell that was killed: refused; the README's remedy folds it in, and nothing is lost", async () => {
    const shell = openShell(walInsert())
    await waitFor("the shell's commit", () => existsSync(committed()))
    expect(sizeOf(`${users()}-wal`)).toBeGreaterThan(0)
    shell.kill("SIGKILL")
    await exited(shell)
    const before = await files()

    const refused = await populateUsers()
    expect(refused.code).toBe(1)
    expect(refused.users.error.operation).toBe("open")
    expect(await files()).toEqual(before)

    // What the message says to run.
    sqlite3("PRAGMA journal_mode=DELETE")
    expect(existsSync(`${users()}-wal`)).toBe(false)
    const loaded = await populateUsers("--on-conflict", "skip")
    expect(loaded.code).toBe(0)
    expect(sqlite3("SELECT name FROM users WHERE id = 100")).toBe("Shell")
    expect(sqlite3("PRAGMA integrity_check")).toBe("ok")
  })

  it("a hot journal of a shell killed in the middle of a write: refused, the file left half-written as it is, and SQLite then rolls the write back", async () => {
    const original = await readFile(users())
    // A one-page cache makes SQLite write changed pages into users.db before the commit.
    openShell(
      "PRAGMA cache_size=1;\nBEGIN;\n" +
        "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 30000) INSERT INTO users SELECT i, 'Half ' || i, 'half' || i || '@example.com' FROM n;\n"
    )
    await waitFor("pages written into the file mid-transaction", () => sizeOf(users()) > original.length && sizeOf(`${users()}-journal`) > 0)
    const [shell] = shells
    if (shell === undefined) throw new Error("no shell")
    shell.kill("SIGKILL")
    await exited(shell)
    const before = await files()
    expect(before.db).not.toEqual(original)

    const refused = await populateUsers()
    expect(refused.code).toBe(1)
    expect(refused.users.error.message).toContain("users.db-journal is beside it: SQLite's rollback journal of a write that did not finish")
    const migrated = await runCli(["migrate", "--data-dir", dataDir])
    expect(migrated.code).toBe(1)
    expect(await files()).toEqual(before)

    // What the message says to run: SQLite replays the journal, and the file is as before the write.
    expect(sqlite3("PRAGMA integrity_check")).toBe("ok")
    expect(existsSync(`${users()}-journal`)).toBe(false)
    expect(sqlite3("SELECT count(*) FROM users")).toBe("9")
    expect((await populateUsers("--on-conflict", "skip")).code).toBe(0)
    expect(sqlite3("SELECT count(*) FROM users")).toBe("9")
  })

  it.skipIf(!existsSync("/proc/locks"))("a shell in the middle of a write transaction (holding SQLite's write lock): refused until it commits", async () => {
    const shell = openShell(`BEGIN IMMEDIATE;\nINSERT INTO users VALUES (100, 'Shell', 'shell@example.com');\n.system touch '${committed()}'\n`)
    await waitFor("the shell's write lock", () => existsSync(committed()))
    const before = await files()

    const refused = await populateUsers()
    expect(refused.code).toBe(1)
    expect(refused.users.error.message).toContain(`process ${shell.pid} holds SQLite's write lock on users.db`)
    expect(await files()).toEqual(before)

    shell.stdin?.end("COMMIT;\n.quit\n")
    await exited(shell)
    expect((await populateUsers("--on-conflict", "skip")).code).toBe(0)
    expect(sqlite3("SELECT name FROM users WHERE id = 100")).toBe("Shell")
  })

  it("a shell that writes the shard while a load runs: the load's write is refused, and the shell's row stays", async () => {
    const input = join(dir, "many.ndjson")
    await writeFile(
      input,
      Array.from({ length: 200_000 }, (_, index) => JSON.stringify({ id: 1000 + index, name: `User ${index}`, email: `u${index}@example.com` })).join("\n")
    )
    const report = join(dir, "report.ndjson")
    const load = runCli([
      "populate", "--json", "--quiet", "--data-dir", dataDir, "--input", `users=${input}`,
      "--checkpoint-records", "20000", "--batch-size", "1000", "--report", report
    ])
    // Once the load's first checkpoint is written, it has read the file and is loading it.
    await waitFor("the load's first checkpoint", () => sizeOf(report) > 0)
    sqlite3("INSERT INTO users VALUES (100, 'Shell', 'shell@example.com')")
    const run = await load
    const shard = JSON.parse(run.stdout).shards[0]
    expect(run.code).toBe(1)
    expect(shard.error.operation).toBe("persist")
    expect(shard.error.message).toContain("not replaced: another program wrote it since this run read it")
    // The load's checkpoints before the shell's write stay; what came after did not land.
    expect(shard.durableThrough).toBeGreaterThanOrEqual(20_000)
    expect(shard.counts.failed).toBe(shard.counts.processed - shard.durableThrough)
    expect(shard.rejectedByRule["not-persisted"]).toBe(shard.counts.failed)
    expect(sqlite3("SELECT count(*) FROM users")).toBe(String(9 + shard.durableThrough + 1))
    expect(sqlite3("SELECT name FROM users WHERE id = 100")).toBe("Shell")
    expect(sqlite3("PRAGMA integrity_check")).toBe("ok")
  })
})
