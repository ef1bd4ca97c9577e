import { createWriteStream } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type JsonReport, type LoggedResult, parseJsonReport, runCli } from "./testing.ts"

type Result = LoggedResult
type ShardJson = JsonReport["shards"][number]

/** A `--report` line saying that the shard's records through `through` are durable. */
interface Marker {
  readonly shard: string
  readonly checkpoint: { readonly through: number; readonly at: string }
}

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-input-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const populate = async (args: ReadonlyArray<string>, options: { readonly stdin?: string } = {}) => {
  const run = await runCli(["populate", "--json", "--quiet", "--data-dir", join(dir, "data"), ...args], options)
  return { ...run, report: run.stdout === "" ? undefined : parseJsonReport(run.stdout) }
}

const rows = async (model: string) => {
  const listed = await runCli(["list", model, "--json", "--limit", "1000", "--data-dir", join(dir, "data")])
  return JSON.parse(listed.stdout) as ReadonlyArray<Record<string, unknown>>
}

const rejectedLines = (shard: ShardJson | undefined) => (shard?.rejected ?? []).map((result) => [result.line, result.errors])

describe("populate --input", () => {
  it("loads NDJSON, rejecting bad lines by line number while the rest loads", async () => {
    const path = join(dir, "users.ndjson")
    await writeFile(
      path,
      [
        '{"id":1,"name":"Ada","email":"ada@example.com"}',
        "",
        '{"id":2,"name":"Bob","email":"bob@example.com"',
        '{"id":3,"name":"","email":"c@example.com"}',
        '{"id":4,"name":"Dan","email":"dan@example.com","age":40}',
        '{"id":5,"name":"Eve"}',
        '{"id":6,"name":"Fay","email":"fay@example.com"}'
      ].join("\n")
    )
    const { code, report } = await populate(["--input", `users=${path}`])
    expect(code).toBe(0)
    const users = report?.shards[0]
    expect(report?.shards.map((shard) => shard.shard)).toEqual(["users"])
    expect(users?.counts).toEqual({ processed: 6, inserted: 2, replaced: 0, skipped: 0, invalid: 4, failed: 0 })
    expect(rejectedLines(users).map(([line]) => line)).toEqual([3, 4, 5, 6])
    expect(users?.rejected[0]?.issues[0]?.rule).toBe("malformed")
    expect(users?.rejected[0]?.errors?.[0]).toMatch(/^line 3: /)
    expect(users?.rejected[1]?.errors).toEqual(["Name cannot be empty"])
    expect(users?.rejected[2]?.issues).toEqual([
      { kind: "validation", field: "age", rule: "unknown-field", message: "age: is not a field of this model" }
    ])
    expect(users?.rejected[3]?.issues).toEqual([{ kind: "validation", field: "email", rule: "required", message: "email: is required" }])
    expect((await rows("User")).map((row) => row["id"])).toEqual([1, 6])
  })

  it("loads CSV, converting values through the shard's schema, and rejects a row with the wrong column count", async () => {
    const path = join(dir, "products.csv")
    await writeFile(path, 'id,name,price\n1,Laptop,1000.00\n2,"Desk, oak",250.5\n3,Lamp\n4,Cable,-1\n5,Mug,abc\n')
    const { code, report } = await populate(["--input", `products=${path}`])
    expect(code).toBe(0)
    const products = report?.shards[0]
    expect(products?.counts).toEqual({ processed: 5, inserted: 2, replaced: 0, skipped: 0, invalid: 3, failed: 0 })
    expect(rejectedLines(products).map(([line]) => line)).toEqual([4, 5, 6])
    expect(products?.rejected[0]?.issues[0]?.rule).toBe("malformed")
    expect(products?.rejected[1]?.errors).toEqual(["Price must be positive"])
    expect(products?.rejected[2]?.issues[0]?.field).toBe("price")
    expect(await rows("Product")).toEqual([
      { id: 1, name: "Laptop", price: 1000 },
      { id: 2, name: "Desk, oak", price: 250.5 }
    ])
  })

  it("loads a JSON array", async () => {
    const path = join(dir, "orders.json")
    await writeFile(path, JSON.stringify([{ id: 1, user_id: 1, product_id: 2, quantity: 3 }, { id: 2, user_id: 1, product_id: 2, quantity: 0 }], null, 2))
    const { report } = await populate(["--input", `orders=${path}`])
    expect(report?.shards[0]?.counts).toEqual({ processed: 2, inserted: 1, replaced: 0, skipped: 0, invalid: 1, failed: 0 })
    expect(report?.shards[0]?.rejected[0]?.errors).toEqual(["Quantity must be positive"])
  })

  it("reads stdin with '-', in the format given by --format", async () => {
    const { report } = await populate(["--input", "users=-", "--format", "csv"], { stdin: "id,name,email\n1,Ada,ada@example.com\n2,,b@example.com\n" })
    expect(report?.shards[0]).toMatchObject({ input: "stdin", counts: { processed: 2, inserted: 1, replaced: 0, skipped: 0, invalid: 1, failed: 0 } })
  })

  it("writes every record's result to --report as NDJSON, and keeps only the rejected ones in --json for a large input", async () => {
    const path = join(dir, "users.ndjson")
    const count = 2500
    await writeFile(
      path,
      Array.from({ length: count }, (_, index) =>
        JSON.stringify({ id: index + 1, name: index % 100 === 0 ? "" : `user ${index}`, email: `u${index}@example.com` })
      ).join("\n")
    )
    const reportPath = join(dir, "results.ndjson")
    const { report } = await populate(["--input", `users=${path}`, "--report", reportPath])
    const users = report?.shards[0]
    expect(users?.counts).toEqual({ processed: count, inserted: count - 25, replaced: 0, skipped: 0, invalid: 25, failed: 0 })
    expect(users?.records).toBeNull()
    expect(users?.rejected).toHaveLength(25)
    expect(users?.rejectedByRule).toEqual({ "name-required": 25 })
    const all = (await readFile(reportPath, "utf8")).trimEnd().split("\n").map((line) => JSON.parse(line) as Result | Marker)
    // The final write is a checkpoint too: its marker, last, says every record above is durable.
    expect(all.at(-1)).toMatchObject({ shard: "users", checkpoint: { through: count } })
    const lines = all.filter((line): line is Result => !("checkpoint" in line))
    expect(lines).toHaveLength(count)
    expect(lines.map((line) => line.line)).toEqual(Array.from({ length: count }, (_, index) => index + 1))
    expect(lines.filter((line) => line.status === "invalid").map((line) => line.line)).toEqual(
      Array.from({ length: 25 }, (_, index) => index * 100 + 1)
    )
    expect(new Set(lines.map((line) => line.shard))).toEqual(new Set(["users"]))
  })

  it("with --on-conflict skip, a second load keeps the stored rows and reports the taken keys as skipped", async () => {
    const path = join(dir, "users.ndjson")
    await writeFile(path, '{"id":1,"name":"Ada","email":"ada@example.com"}\n{"id":2,"name":"Bob","email":"bob@example.com"}\n')
    await populate(["--input", `users=${path}`])
    await writeFile(path, '{"id":1,"name":"Ada Two","email":"ada2@example.com"}\n{"id":3,"name":"Cy","email":"cy@example.com"}\n')
    const { code, report } = await populate(["--input", `users=${path}`, "--on-conflict", "skip"])
    expect(code).toBe(0)
    expect(report?.shards[0]?.counts).toEqual({ processed: 2, inserted: 1, replaced: 0, skipped: 1, invalid: 0, failed: 0 })
    expect(report?.shards[0]?.records?.map((record) => record.status)).toEqual(["skipped", "inserted"])
    expect((await rows("User")).map((row) => row["name"])).toEqual(["Ada", "Bob", "Cy"])
  })

  it("with --on-conflict replace, a second load overwrites the stored rows with the same keys", async () => {
    const path = join(dir, "products.ndjson")
    await writeFile(path, '{"id":1,"name":"Lamp","price":10}\n{"id":2,"name":"Desk","price":200}\n')
    await populate(["--input", `products=${path}`])
    await writeFile(path, '{"id":2,"name":"Oak desk","price":250}\n{"id":3,"name":"Chair","price":80}\n')
    const { report } = await populate(["--input", `products=${path}`, "--on-conflict", "replace"])
    expect(report?.shards[0]?.counts).toEqual({ processed: 2, inserted: 1, replaced: 1, skipped: 0, invalid: 0, failed: 0 })
    expect(await rows("Product")).toEqual([
      { id: 1, name: "Lamp", price: 10 },
      { id: 2, name: "Oak desk", price: 250 },
      { id: 3, name: "Chair", price: 80 }
    ])
  })

  it("exits 1 with --fail-on-reject when a record was rejected, 0 without it", async () => {
    const path = join(dir, "users.ndjson")
    await writeFile(path, '{"id":1,"name":"","email":"a@example.com"}\n')
    expect((await populate(["--input", `users=${path}`])).code).toBe(0)
    const failing = await populate(["--input", `users=${path}`, "--fail-on-reject", "--reset"])
    expect(failing.code).toBe(1)
    expect(failing.stderr).toContain("rejected")
  })

  it("reports a missing input file as that shard's failure, and still loads the others", async () => {
    const users = join(dir, "users.ndjson")
    await writeFile(users, '{"id":1,"name":"Ada","email":"ada@example.com"}\n')
    const { code, report } = await populate(["--input", `users=${users}`, "--input", `orders=${join(dir, "missing.ndjson")}`])
    expect(code).toBe(1)
    expect(report?.shards.map((shard) => [shard.shard, shard.counts.inserted, shard.error?.operation ?? null])).toEqual([
      ["users", 1, null],
      ["orders", 0, "input"]
    ])
  })

  it.each([["users"], ["nope=x.ndjson"], ["users=x.txt"]])("rejects --input %s as bad usage (exit 2)", async (spec) => {
    const { code, stderr } = await populate(["--input", spec])
    expect(code).toBe(2)
    expect(stderr).not.toBe("")
  })

  it("gives the same outcome in worker threads and in fibers", async () => {
    const files = await writeSampleFiles(dir, 3000)
    const inputs = files.flatMap((file) => ["--input", file])
    const inWorkers = await runCli(["populate", "--json", "--quiet", "--workers", "on", "--data-dir", join(dir, "w"), ...inputs])
    const inFibers = await runCli(["populate", "--json", "--quiet", "--workers", "off", "--data-dir", join(dir, "f"), ...inputs])
    expect(inWorkers.code).toBe(0)
    const summarize = (stdout: string) =>
      parseJsonReport(stdout).shards.map((shard) => ({ shard: shard.shard, counts: shard.counts, byRule: shard.rejectedByRule, rejected: shard.rejected }))
    expect(summarize(inWorkers.stdout)).toEqual(summarize(inFibers.stdout))
    for (const model of ["User", "Product", "Order"]) {
      const list = (dataDir: string) => runCli(["list", model, "--json", "--limit", "5000", "--data-dir", dataDir]).then((run) => run.stdout)
      expect(await list(join(dir, "w"))).toEqual(await list(join(dir, "f")))
    }
  })

  it("streams: loads an input several times larger than the process's heap limit", async () => {
    // 160 MB of records that all share one key: the database stays tiny, so only a reader that
    // holds the whole input (or every result) in memory could run out of a 64 MB heap.
    const path = join(dir, "big.ndjson")
    const padding = "x".repeat(1000)
    const records = 160_000
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(path)
      out.on("error", reject)
      let index = 0
      const writeMore = () => {
        while (index < records) {
          const line = `{"id":1,"name":"${padding}","email":"user${index}@example.com"}\n`
          index++
          if (!out.write(line)) return out.once("drain", writeMore)
        }
        out.end(resolve)
      }
      writeMore()
    })
    const run = await runCli(["populate", "--quiet", "--workers", "off", "--data-dir", join(dir, "data"), "--input", `users=${path}`], {
      nodeOptions: ["--max-old-space-size=64"]
    })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("1/160,000 inserted, 0 invalid, 159,999 failed")
  }, 120_000)
})

/** Three NDJSON files of `count` records each, with every kind of rejection sprinkled in. */
const writeSampleFiles = async (folder: string, count: number) => {
  const ids = Array.from({ length: count }, (_, index) => index + 1)
  const write = async (shard: string, record: (id: number) => unknown) => {
    const path = join(folder, `${shard}.ndjson`)
    await writeFile(path, `${ids.map((id) => JSON.stringify(record(id))).join("\n")}\n`)
    return `${shard}=${path}`
  }
  return Promise.all([
    write("users", (id) => ({ id: id % 97 === 0 ? 1 : id, name: id % 13 === 0 ? "" : `user ${id}`, email: `u${id}@example.com` })),
    write("products", (id) => ({ id, name: `product ${id}`, price: id % 11 === 0 ? -id : id / 4 })),
    write("orders", (id) => ({ id, user_id: id % 17 === 0 ? 0 : id, product_id: id, quantity: (id % 7) - 1 }))
  ])
}
