import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

import { shards } from "./plugins.ts"
import { idOf, type JsonReport, parseJsonReport, runCli } from "./testing.ts"
import { databaseFileOf, expectedOutcomes, expectedSampleLoad, expectedSampleLoads, reportedOutcomes, seedShardArgs, totalCounts, totalsLine } from "./testing-registry.ts"

// End to end: the built CLI as a user runs it.
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => runCli(args, { env })

const parseReport = parseJsonReport

const failuresOf = (report: JsonReport) =>
  report.shards.flatMap((shard) => (shard.records ?? []).filter((record) => !record.success).map((record) => [shard.shard, idOf(record), record.errors]))

/** Every file in `dir` with its bytes, to prove that a command changed none. */
const snapshot = async (dir: string) => {
  const names = (await readdir(dir)).sort()
  return Promise.all(names.map(async (name) => [name, await readFile(join(dir, name))] as const))
}

let dataDir = ""
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "distributed-insert-cli-"))
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

const reportOf = (shard: string, report: JsonReport) => {
  const found = report.shards.find((each) => each.shard === shard)
  if (found === undefined) throw new Error(`no shard ${shard} in the report`)
  return found
}

describe("distributed-insert populate", () => {
  // The seed's own run, its three shards alone: the Django demo's outcome, number for number.
  it("reproduces the seed's outcome: 26 of 30, the four validation failures, in registration order", async () => {
    const result = await run(["populate", ...seedShardArgs, "--json", "--data-dir", dataDir])
    expect(result.code).toBe(0)
    const report = parseReport(result.stdout)
    expect(report.shards.map((shard) => [shard.shard, shard.counts.inserted, shard.counts.processed])).toEqual([
      ["users", 9, 10],
      ["products", 9, 10],
      ["orders", 8, 10]
    ])
    expect(report.summary).toMatchObject({ processed: 30, inserted: 26, invalid: 4, failed: 0, failedShards: 0 })
    expect(failuresOf(report)).toEqual([
      ["users", 10, ["Name cannot be empty"]],
      ["products", 10, ["Price must be positive"]],
      ["orders", 8, ["Quantity must be positive"]],
      ["orders", 9, ["Quantity must be positive"]]
    ])
    expect(report.shards.flatMap((shard) => (shard.records ?? []).filter((record) => record.success).map((record) => record.errors))).toEqual(
      Array(26).fill(null)
    )
  })

  it("loads every registered shard's sample, each record as its shard's rules and keys decide", async () => {
    const result = await run(["populate", "--json", "--data-dir", dataDir])
    expect(result.code).toBe(0)
    const report = parseReport(result.stdout)
    expect(reportedOutcomes(report.shards)).toEqual(expectedOutcomes(expectedSampleLoads(shards)))
    const { processed, inserted, invalid, failed } = totalCounts(expectedSampleLoads(shards))
    expect(report.summary).toMatchObject({ processed, inserted, invalid, failed, failedShards: 0, shards: shards.length })
  })

  it("behaves like the seed's second run: every valid record hits the UNIQUE constraint, nothing is duplicated", async () => {
    await run(["populate", "--data-dir", dataDir])
    const second = await run(["populate", "--json", "--data-dir", dataDir])
    expect(second.code).toBe(0)
    const report = parseReport(second.stdout)
    const { processed, invalid, valid } = totalCounts(expectedSampleLoads(shards))
    expect(report.summary).toMatchObject({ processed, inserted: 0, replaced: 0, skipped: 0, invalid, failed: valid })
    expect(reportedOutcomes(report.shards)).toEqual(expectedOutcomes(expectedSampleLoads(shards, { into: "loaded" })))
    expect(reportOf("users", report).records?.[0]?.errors).toEqual(["UNIQUE constraint failed: users.id"])
    const listed = JSON.parse((await run(["shards", "--json", "--data-dir", dataDir])).stdout)
    expect(listed.shards.map((shard: { rows: number }) => shard.rows)).toEqual(expectedSampleLoads(shards).map((load) => load.rows))
  })

  it("starts from empty shards with --reset", async () => {
    await run(["populate", "--data-dir", dataDir])
    const again = await run(["populate", "--reset", "--json", "--data-dir", dataDir])
    const { inserted, failed } = totalCounts(expectedSampleLoads(shards))
    expect(parseReport(again.stdout).summary).toMatchObject({ inserted, failed })
  })

  it("restricts the run to the shards named with --shard", async () => {
    const result = await run(["populate", "--shard", "orders", "--shard", "User", "--json", "--data-dir", dataDir])
    expect(parseReport(result.stdout).shards.map((shard) => shard.shard)).toEqual(["users", "orders"])
  })

  it("reports an unreadable shard file, leaves it untouched, completes the other shards and exits 1", async () => {
    const garbage = "this is not a SQLite database\n".repeat(40)
    await writeFile(join(dataDir, "users.db"), garbage)
    const result = await run(["populate", "--json", "--data-dir", dataDir])
    expect(result.code).toBe(1)
    const report = parseReport(result.stdout)
    expect(reportOf("users", report).error?.operation).toBe("open")
    const others = shards.filter((shard) => shard.name !== "users")
    expect(others.map((shard) => reportOf(shard.name, report).counts.inserted)).toEqual(expectedSampleLoads(others).map((load) => load.counts.inserted))
    expect(result.stderr).toContain(join(dataDir, "users.db"))
    expect(await readFile(join(dataDir, "users.db"), "utf8")).toBe(garbage)
  })

  it("prints the human report with the seed's final analysis, without colours when piped", async () => {
    const result = await run(["populate", ...seedShardArgs, "--data-dir", dataDir])
    expect(result.stdout).toContain("Final Output Analysis")
    expect(result.stdout).toContain("Successful insertions:   26 (86.7% success rate)")
    expect(result.stdout).toContain("Validation failures:     4 (13.3%)")
    expect(result.stdout.indexOf("users (User)")).toBeLessThan(result.stdout.indexOf("products (Product)"))
    expect(result.stdout).not.toContain("\u001b[")
  })

  it("prints every registered shard, in registration order, and the totals of them all", async () => {
    const result = await run(["populate", "--data-dir", dataDir])
    const headings = shards.map((shard) => result.stdout.indexOf(`${shard.name} (${shard.model})`))
    expect(headings.every((at) => at >= 0)).toBe(true)
    expect([...headings].sort((a, b) => a - b)).toEqual(headings)
    const { processed, inserted, invalid, failed } = totalCounts(expectedSampleLoads(shards))
    expect(result.stdout).toContain(`Total records processed: ${processed.toLocaleString("en-US")}`)
    expect(result.stdout).toContain(totalsLine("Successful insertions", inserted, processed, " success rate"))
    expect(result.stdout).toContain(totalsLine("Validation failures", invalid, processed))
    expect(result.stdout).toContain(totalsLine("Database errors", failed, processed))
  })

  it("takes the data directory from DISTRIBUTED_INSERT_DATA_DIR", async () => {
    const result = await run(["populate", "--json"], { DISTRIBUTED_INSERT_DATA_DIR: dataDir })
    expect(result.code).toBe(0)
    for (const shard of shards) expect(await readFile(join(dataDir, databaseFileOf(shard)))).toBeInstanceOf(Buffer)
  })
})

describe("usage errors exit 2", () => {
  it.each([
    [["populate", "--no-such-option"]],
    [["populate", "--shard", "nope"]],
    [["list", "Nope"]],
    [["no-such-command"]]
  ])("%j", async (args) => {
    const result = await run([...args, "--data-dir", dataDir])
    expect(result.code).toBe(2)
    expect(result.stderr).not.toBe("")
  })
})

describe("reading through the router", () => {
  beforeEach(async () => {
    await run(["populate", "--data-dir", dataDir])
  })

  it("lists a model's rows in key order", async () => {
    const result = await run(["list", "Product", "--limit", "2", "--json", "--data-dir", dataDir])
    expect(JSON.parse(result.stdout)).toEqual([
      { id: 1, name: "Laptop", price: 1000 },
      { id: 2, name: "Smartphone", price: 700 }
    ])
  })

  it("gets one record, and exits 1 for a missing one", async () => {
    const found = await run(["get", "users", "3", "--json", "--data-dir", dataDir])
    expect(JSON.parse(found.stdout)).toEqual({ id: 3, name: "Charlie", email: "charlie@example.com" })
    const missing = await run(["get", "users", "10", "--data-dir", dataDir])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("User 10 not found")
  })

  it("shows each shard's file, rows and schema version", async () => {
    const result = await run(["shards", "--data-dir", dataDir])
    for (const shard of shards) {
      const { rows } = expectedSampleLoad(shard)
      const version = shard.migrations.length
      expect(result.stdout).toMatch(new RegExp(`${shard.name}\\s+${shard.model}\\s+sqlite\\s+\\S*${shard.name}\\.db\\s+${rows}\\s+${version}/${version}`))
    }
    expect(result.stdout).not.toContain("unclaimed")
    expect(JSON.parse((await run(["shards", "--json", "--data-dir", dataDir])).stdout).unclaimed).toEqual([])
  })

  it("mentions a database file no registered shard uses, with the files beside it, and leaves them byte-identical; a stray file is not one", async () => {
    const legacy = join(dataDir, "legacy.db")
    await copyFile(join(dataDir, "orders.db"), legacy)
    await writeFile(`${legacy}-journal`, "")
    await writeFile(join(dataDir, "notes.txt"), "not a database\n")
    await writeFile(join(dataDir, "garbage.db"), "not a database either\n")
    const before = await snapshot(dataDir)

    const result = await run(["shards", "--data-dir", dataDir])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe("")
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^SHARD +MODEL +ENGINE +LOCATION +ROWS +SCHEMA$/),
      ...shards.map((shard) => {
        const version = shard.migrations.length
        return expect.stringMatching(new RegExp(`^${shard.name} +${shard.model} +sqlite +\\S*${shard.name}\\.db +${expectedSampleLoad(shard).rows} +${version}/${version}$`))
      }),
      "",
      `unclaimed: ${legacy} (and legacy.db-journal): no registered shard uses it; left as it is`
    ])

    const json = await run(["shards", "--json", "--data-dir", dataDir])
    expect(json.code).toBe(0)
    const output = JSON.parse(json.stdout)
    expect(output.shards.map((shard: { shard: string; rows: number }) => [shard.shard, shard.rows])).toEqual(
      shards.map((shard) => [shard.name, expectedSampleLoad(shard).rows])
    )
    expect(output.unclaimed).toEqual([{ database: "legacy", location: legacy, sidecars: [`${legacy}-journal`] }])
    expect(await snapshot(dataDir)).toEqual(before)
  })
})

describe("distributed-insert migrate", () => {
  it("applies each shard's migrations once", async () => {
    const first = await run(["migrate", "--json", "--data-dir", dataDir])
    expect(JSON.parse(first.stdout).map((result: { applied: ReadonlyArray<unknown> }) => result.applied.length)).toEqual(
      shards.map((shard) => shard.migrations.length)
    )
    const second = await run(["migrate", "--json", "--data-dir", dataDir])
    expect(JSON.parse(second.stdout).map((result: { applied: ReadonlyArray<unknown> }) => result.applied.length)).toEqual(shards.map(() => 0))
  })
})
