import { spawn } from "node:child_process"
import { closeSync, openSync } from "node:fs"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type CliRun, cliPath, type JsonReport, parseJsonReport, runCli } from "./testing.ts"

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-fidelity-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const dataDir = () => join(dir, "data")

const populate = async (args: ReadonlyArray<string>): Promise<CliRun & { readonly report: JsonReport | undefined }> => {
  const run = await runCli(["populate", "--json", "--quiet", "--data-dir", dataDir(), ...args])
  return { ...run, report: run.stdout === "" ? undefined : parseJsonReport(run.stdout) }
}

const rows = async (model: string) => {
  const listed = await runCli(["list", model, "--json", "--limit", "1000", "--data-dir", dataDir()])
  return JSON.parse(listed.stdout) as ReadonlyArray<Record<string, unknown>>
}

/** Files left in the data directory besides the shards: a lock or temp file would mean one was not released. */
const leftovers = async () => (await readdir(dataDir())).filter((name) => !name.endsWith(".db"))

const wideRecord = (id: number, keys: number) =>
  JSON.stringify({ id, name: "Wide", email: "w@example.com", ...Object.fromEntries(Array.from({ length: keys }, (_, index) => [`k${index}`, index])) })

/** Lines that each used to crash the run, change a value or lose one, with good users around them. */
const hostileUsers = (): Buffer =>
  Buffer.concat([
    Buffer.from(
      [
        '{"id":1,"name":"Ada","email":"ada@example.com"}',
        `{"id":2,"name":${"[".repeat(4_000)}${"]".repeat(4_000)},"email":"deep@example.com"}`,
        wideRecord(3, 200_000),
        '{"id":4,"name":"Dup","email":"d@example.com","id":40}',
        '{"id":9007199254740993,"name":"Big","email":"big@example.com"}',
        '{"id":100.0000000000000001,"name":"Frac","email":"f@example.com"}',
        '{"id":1e-400,"name":"Tiny","email":"t@example.com"}',
        '{"id":8,"name":"caf'
      ].join("\n")
    ),
    Buffer.from([0xe9]),
    Buffer.from('","email":"latin1@example.com"}\n{"id":9,"name":"Bob","email":"bob@example.com"}\n')
  ])

describe("records that used to crash the run or change on the way", () => {
  for (const workers of ["off", "on"]) {
    it(`are each rejected with a reason while the rest of every shard loads (--workers ${workers})`, async () => {
      await writeFile(join(dir, "users.ndjson"), hostileUsers())
      await writeFile(join(dir, "orders.ndjson"), '{"id":1,"user_id":1,"product_id":1,"quantity":2}\n')
      const reportFile = join(dir, "report.ndjson")
      const inputs = ["--input", `users=${join(dir, "users.ndjson")}`, "--input", `orders=${join(dir, "orders.ndjson")}`]
      const { code, stderr, report } = await populate([...inputs, "--workers", workers, "--report", reportFile])
      expect(stderr).toBe("")
      expect(code).toBe(0)
      const [users, orders] = report?.shards ?? []
      expect(users).toMatchObject({ error: null, counts: { processed: 9, inserted: 2, invalid: 7 } })
      expect(orders).toMatchObject({ error: null, counts: { processed: 1, inserted: 1 } })
      expect(users?.rejected.map((result) => [result.line, result.issues[0]?.rule, result.issues[0]?.field])).toEqual([
        [2, "too-deep", "name"],
        [3, "too-large", null],
        [4, "duplicate-key", "id"],
        [5, "inexact-number", "id"],
        [6, "inexact-number", "id"],
        [7, "inexact-number", "id"],
        [8, "invalid-utf8", null]
      ])
      // Rejected for what was written, which the message quotes, and shown as written.
      expect(users?.rejected[3]?.errors).toEqual([
        'line 5: the number 9007199254740993 in field "id" cannot be stored exactly: it would read back as 9007199254740992 (a double holds about 15 to 17 significant digits)'
      ])
      expect(users?.rejected[3]?.data).toBe('{"id":9007199254740993,"name":"Big","email":"big@example.com"}')
      expect(users?.rejected[6]?.data).toBe('{"id":8,"name":"caf\uFFFD","email":"latin1@example.com"}')
      expect(await rows("User")).toEqual([
        { id: 1, name: "Ada", email: "ada@example.com" },
        { id: 9, name: "Bob", email: "bob@example.com" }
      ])
      const logged = (await readFile(reportFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line))
      expect(logged.filter((line) => line.shard === "users" && "position" in line)).toHaveLength(9)
      expect(await leftovers()).toEqual([])
    })
  }

  it("are explained in the human report too, one bounded entry each", async () => {
    await writeFile(join(dir, "users.ndjson"), hostileUsers())
    const { code, stdout, stderr } = await runCli(["populate", "--quiet", "--data-dir", dataDir(), "--input", `users=${join(dir, "users.ndjson")}`])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toContain("line 2: the record nests deeper than 64 levels (validation · name · too-deep)")
    expect(stdout).toContain("line 3: the record holds more than 10,000 values (validation · too-large)")
    expect(stdout).toContain("2/9 inserted, 7 invalid, 0 failed")
    expect(stdout.length).toBeLessThan(20_000)
  })
})

describe("an input that never ends", () => {
  it("is one rejected record, and the load ends with its lock released (NDJSON from /dev/zero)", async () => {
    const started = Date.now()
    const { code, report } = await populate(["--input", "users=/dev/zero", "--format", "ndjson"])
    expect(code).toBe(0)
    expect(report?.shards[0]).toMatchObject({ error: null, counts: { processed: 1, invalid: 1 } })
    expect(report?.shards[0]?.rejected[0]?.issues[0]).toMatchObject({ rule: "too-long", message: expect.stringMatching(/longer than 67,108,864 characters.*reading stopped here/) })
    expect(Date.now() - started).toBeLessThan(25_000)
    expect(await leftovers()).toEqual([])
  })
})

describe("an input with no records", () => {
  it("is said on stderr, for an empty .json and an NDJSON file of blank lines", async () => {
    await writeFile(join(dir, "users.json"), "")
    await writeFile(join(dir, "orders.ndjson"), "\n  \n\r\n")
    const { code, stdout, stderr } = await runCli([
      "populate",
      "--quiet",
      "--data-dir",
      dataDir(),
      "--input",
      `users=${join(dir, "users.json")}`,
      "--input",
      `orders=${join(dir, "orders.ndjson")}`
    ])
    expect(code).toBe(0)
    expect(stdout).toContain("0/0 inserted")
    expect(stderr.split("\n").filter((line) => line !== "")).toEqual([
      `note: shard users: the input ${join(dir, "users.json")} held no records`,
      `note: shard orders: the input ${join(dir, "orders.ndjson")} held no records`
    ])
  })

  it("is an error when stdin is a directory, which cannot be read", async () => {
    await mkdir(join(dir, "folder"))
    const { code, stderr } = await runWithStdinFrom(join(dir, "folder"), ["populate", "--quiet", "--data-dir", dataDir(), "--input", "users=-"])
    expect(code).toBe(1)
    expect(stderr).toContain("cannot read input stdin: it is a directory, not a file")
  })
})

describe("CSV", () => {
  it("shows a row that is not a record as its text, and refuses numbers that are not plain decimals", async () => {
    await writeFile(join(dir, "products.csv"), "id,name,price\r\n1,Laptop,1000.00\n2,Hex,0x10\r\n3,Lamp\n4,Padded, 12 \n5,Mug,1e1\r\n")
    const { code, stdout } = await runCli(["populate", "--quiet", "--data-dir", dataDir(), "--input", `products=${join(dir, "products.csv")}`])
    expect(code).toBe(0)
    expect(stdout).toContain('✗ Product #3  line 4: "3,Lamp"')
    expect(stdout).toContain('price: "0x10" is not a decimal number')
    expect(stdout).toContain('price: " 12 " is not a decimal number')
    expect(await rows("Product")).toEqual([
      { id: 1, name: "Laptop", price: 1000 },
      { id: 5, name: "Mug", price: 10 }
    ])
  })

  it("shows a row whose quote is never closed as its text from there on, not as null", async () => {
    await writeFile(join(dir, "unclosed.csv"), 'id,name,price\n1,Laptop,1000\n2,"Phone,700\n3,Lamp,20\n')
    const { code, stdout } = await runCli(["populate", "--quiet", "--data-dir", dataDir(), "--input", `products=${join(dir, "unclosed.csv")}`])
    expect(code).toBe(0)
    expect(stdout).toContain('✗ Product #2  line 3: "2,\\"Phone,700\\n3,Lamp,20"\n')
    expect(stdout).toContain("line 3: invalid CSV: a quote opened in this row is never closed; reading stopped here")
    expect(stdout).not.toContain("null")
  })
})

/** Runs the CLI with `path` (a directory, say) opened as its stdin, as a shell's `< path` does. */
const runWithStdinFrom = (path: string, args: ReadonlyArray<string>): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const fd = openSync(path, "r")
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, INIT_CWD: "" }, stdio: [fd, "pipe", "pipe"] })
    closeSync(fd)
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }))
  })
