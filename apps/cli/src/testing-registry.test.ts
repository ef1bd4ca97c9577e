import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describeShards, populate, type RunReport, shardsLayer } from "@distributed-insert/pipeline"
import { seedShards } from "@distributed-insert/seed-shards"
import type { Shard } from "@distributed-insert/shard"
import type { ConflictMode } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { renderPopulateReport } from "./render/populate-report.ts"
import { bookmarks } from "./testing-extra-shard.ts"
import { expectedOutcomes, expectedSampleLoads, reportedOutcomes, seedShardArgs, totalCounts, totalsLine } from "./testing-registry.ts"

// What the CLI's tests expect of a run, as testing-registry.ts derives it from the registered
// shards, held to real loads: of the seed's shards, where it must be the seed's numbers, and of
// four shards (a fixture shard first, so that nothing may rest on the seed's shards being first
// or alone), where it must be what the pipeline and the report renderer give, in process, with
// those four registered.

let dataDir = ""
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "distributed-insert-registry-"))
})
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true })
})

const fourShards: ReadonlyArray<Shard> = [bookmarks, ...seedShards]
const primaryKeys = new Map(fourShards.map((shard) => [shard.name as string, shard.primaryKey]))

/** `populate` of every registered shard's sample, as the CLI runs it, with `shards` registered. */
const load = (shards: ReadonlyArray<Shard>, options: { readonly onConflict?: ConflictMode } = {}): Promise<RunReport> =>
  Effect.runPromise(
    populate({ settings: options.onConflict === undefined ? {} : { onConflict: options.onConflict } }).pipe(
      Effect.provide(shardsLayer({ shards, storage: SqlJsStorage.layer({ dataDir }) }))
    )
  )

describe("the expected sample loads", () => {
  it("of the seed's shards are the seed's: 26 of 30 inserted, 4 invalid", () => {
    const totals = totalCounts(expectedSampleLoads(seedShards))
    expect(totals).toEqual({ processed: 30, inserted: 26, replaced: 0, skipped: 0, invalid: 4, failed: 0, valid: 26 })
    expect(totalsLine("Successful insertions", totals.inserted, totals.processed, " success rate")).toBe("Successful insertions:   26 (86.7% success rate)")
    expect(totalsLine("Validation failures", totals.invalid, totals.processed)).toBe("Validation failures:     4 (13.3%)")
    expect(seedShardArgs).toEqual(["--shard", "users", "--shard", "products", "--shard", "orders"])
  })

  it("of four shards are what populate reports, record for record, and the human report's totals", async () => {
    const first = await load(fourShards)
    const expected = expectedSampleLoads(fourShards)
    expect(reportedOutcomes(first.shards)).toEqual(expectedOutcomes(expected))
    const totals = totalCounts(expected)
    // The fixture shard is not the seed's: a key given twice is refused by the database.
    expect(totals).toMatchObject({ processed: 35, inserted: 29, invalid: 5, failed: 1 })
    expect(first.summary).toMatchObject({ processed: totals.processed, inserted: totals.inserted, invalid: totals.invalid, failed: totals.failed })
    const human = renderPopulateReport(first, primaryKeys)
    expect(human).toContain(totalsLine("Successful insertions", totals.inserted, totals.processed, " success rate"))
    expect(human).toContain("Successful insertions:   29 (82.9% success rate)")
    expect(human).toContain(totalsLine("Validation failures", totals.invalid, totals.processed))
    expect(human.trimEnd().endsWith(totalsLine("Database errors", totals.failed, totals.processed))).toBe(true)
  })

  it.each([["fail"], ["replace"], ["skip"]] as const)("of four shards, loaded again with --on-conflict %s, are what populate reports", async (onConflict) => {
    await load(fourShards)
    const again = await load(fourShards, { onConflict })
    const expected = expectedSampleLoads(fourShards, { into: "loaded", onConflict })
    expect(reportedOutcomes(again.shards)).toEqual(expectedOutcomes(expected))
    const totals = totalCounts(expected)
    const human = renderPopulateReport(again, primaryKeys)
    if (onConflict === "replace") expect(human).toContain(totalsLine("Replaced", totals.replaced, totals.processed))
    if (onConflict === "skip") expect(human).toContain(totalsLine("Skipped (key taken)", totals.skipped, totals.processed))
  })

  it("count the rows each shard holds after its first load", async () => {
    await load(fourShards)
    const described = await Effect.runPromise(describeShards().pipe(Effect.provide(shardsLayer({ shards: fourShards, storage: SqlJsStorage.layer({ dataDir }) }))))
    expect(described.map((status) => status.rows)).toEqual(expectedSampleLoads(fourShards).map((expected) => expected.rows))
  })
})
