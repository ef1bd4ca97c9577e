import { join } from "node:path"
import { memoryInput } from "@distributed-insert/input"
import type { Shard } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { openedInput } from "./input-source.ts"
import { populate } from "./populate.ts"
import type { RunReport } from "./report.ts"
import { noteShard, queryFile, recordingStorage, type StorageCall, tempDir, testLayer } from "./testing.ts"

const shards = [noteShard("alpha"), noteShard("beta"), noteShard("gamma")]

const statusesOf = (report: RunReport) => report.shards.map((shard) => (shard.records ?? []).map((record) => record.status))
const countRows = (dir: string, table: string) => queryFile(join(dir, `${table}.db`), `SELECT count(*) FROM ${table}`)

describe("populate", () => {
  it.effect("loads every shard and summarizes the run", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const report = yield* populate().pipe(Effect.provide(testLayer(shards, dir)))

      expect(statusesOf(report)).toEqual(Array.from({ length: 3 }, () => ["inserted", "invalid", "inserted"]))
      expect(report.shards.map((shard) => ({ shard: shard.shard, database: shard.database, location: shard.location, error: shard.error })))
        .toEqual(shards.map(({ name }) => ({ shard: name, database: name, location: join(dir, `${name}.db`), error: null })))
      expect(report.shards[0]?.migrationsApplied).toEqual([{ model: "Alpha", version: 1, description: "create alpha" }])
      expect(report.summary).toEqual({
        processed: 9,
        inserted: 6,
        replaced: 0,
        skipped: 0,
        invalid: 3,
        failed: 0,
        successRate: 6 / 9,
        shards: 3,
        failedShards: 0
      })
      for (const { table } of shards) expect(yield* countRows(dir, table)).toEqual([[2]])
    })
  )

  it.effect("runs the shards concurrently: their batches interleave", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const calls: Array<StorageCall> = []
      yield* populate({ settings: { batchSize: 1 } }).pipe(Effect.provide(testLayer(shards, dir, { storage: recordingStorage(dir, calls) })))

      const batches = calls.filter((call) => call.operation === "insertBatch").map((call) => call.database)
      expect(batches.filter((database) => database === "alpha")).toHaveLength(3)
      expect(batches.indexOf("beta")).toBeLessThan(batches.lastIndexOf("alpha"))
      expect(batches.indexOf("gamma")).toBeLessThan(batches.lastIndexOf("beta"))
    })
  )

  it.effect("reports in registration order, whatever order the shards finish in", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const calls: Array<StorageCall> = []
      // Alpha has three times as many records, so it is the last to persist.
      const inputs = (shard: Shard) =>
        shard.name === "alpha"
          ? openedInput(memoryInput([0, 10, 20].flatMap((offset) => [{ id: offset + 1, body: "x", stars: 1 }, { id: offset + 2, body: "y", stars: 2 }]), "test"))
          : undefined
      const report = yield* populate({ settings: { batchSize: 1 }, inputs }).pipe(
        Effect.provide(testLayer(shards, dir, { storage: recordingStorage(dir, calls) }))
      )

      expect(calls.filter((call) => call.operation === "persist").map((call) => call.database)).toEqual(["beta", "gamma", "alpha"])
      expect(report.shards.map((shard) => shard.shard)).toEqual(["alpha", "beta", "gamma"])
      expect(report.shards.map((shard) => shard.counts.processed)).toEqual([6, 3, 3])
    })
  )

  it.effect("loads only the selected shards, by shard or model name, in registration order", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const report = yield* populate({ shards: ["Gamma", "alpha"] }).pipe(Effect.provide(testLayer(shards, dir)))
      expect(report.shards.map((shard) => shard.shard)).toEqual(["alpha", "gamma"])
    })
  )

  it.effect("a second run on the same files refuses every record already there and duplicates nothing", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* populate().pipe(Effect.provide(testLayer(shards, dir)))
      const second = yield* populate().pipe(Effect.provide(testLayer(shards, dir)))

      expect(second.shards.map((shard) => (shard.records ?? []).map((record) => record.errors))).toEqual(
        shards.map(({ table }) => [[`UNIQUE constraint failed: ${table}.id`], ["Stars cannot be negative"], [`UNIQUE constraint failed: ${table}.id`]])
      )
      expect(statusesOf(second)).toEqual(Array.from({ length: 3 }, () => ["failed", "invalid", "failed"]))
      expect(second.shards.map((shard) => shard.migrationsApplied)).toEqual([[], [], []])
      for (const { table } of shards) expect(yield* countRows(dir, table)).toEqual([[2]])
    })
  )

  it.effect("with reset, a second run starts from empty databases and inserts everything again", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* populate().pipe(Effect.provide(testLayer(shards, dir)))
      const second = yield* populate({ reset: true }).pipe(Effect.provide(testLayer(shards, dir)))

      expect(statusesOf(second)).toEqual(Array.from({ length: 3 }, () => ["inserted", "invalid", "inserted"]))
      expect(second.shards[0]?.migrationsApplied.map((step) => step.version)).toEqual([1])
      for (const { table } of shards) expect(yield* countRows(dir, table)).toEqual([[2]])
    })
  )
})
