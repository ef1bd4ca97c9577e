import { memoryInput } from "@distributed-insert/input"
import { ShardStorage } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { inputFile, isWorkerSource, openedInput, SAMPLE_DATA } from "./input-source.ts"
import type { ShardProgress } from "./load-shard.ts"
import { populate } from "./populate.ts"
import type { RunReport } from "./report.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

const shards = [noteShard("alpha"), noteShard("beta"), noteShard("gamma")]

/**
 * A script no worker can start from: a shard sent to a worker reports that it could not load
 * ("worker" operation), so a shard that loaded was kept in this thread.
 */
const missingScript = new URL("./no-such-shard-worker.js", import.meta.url)

/** A writer's sql.js storage in `dataDir`: one whose `workerConfig` lets worker threads share it. */
const writerStorage = (dataDir: string) => SqlJsStorage.layer({ dataDir, writer: { waitSeconds: 0 } })

/** The same storage, saying it cannot be shared with another thread, as one held in this thread's memory would. */
const unsharedStorage = (dataDir: string): Layer.Layer<ShardStorage> =>
  Layer.effect(
    ShardStorage,
    Effect.gen(function* () {
      const storage = yield* ShardStorage
      return ShardStorage.of({ ...storage, workerConfig: undefined })
    })
  ).pipe(Layer.provide(writerStorage(dataDir)))

const outcomes = (report: RunReport) => report.shards.map((shard) => [shard.shard, shard.error?.operation ?? null, shard.counts.inserted])

describe("populate with workers", () => {
  it.effect("over a storage that cannot be shared with a worker, loads every shard in this thread, even those wanted in workers", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const report = yield* populate({ workers: { script: missingScript, wanted: () => true } }).pipe(
        Effect.provide(testLayer(shards, dir, { storage: unsharedStorage(dir) }))
      )
      expect(outcomes(report)).toEqual([
        ["alpha", null, 2],
        ["beta", null, 2],
        ["gamma", null, 2]
      ])
    })
  )

  it.effect("over a storage that can be shared, sends only the shards wanted there to a worker, and tells their end as progress", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const told: Array<ShardProgress> = []
      const report = yield* populate({
        workers: { script: missingScript, wanted: (shard) => shard.name === "beta" },
        onProgress: (progress) => told.push(progress)
      }).pipe(Effect.provide(testLayer(shards, dir, { storage: writerStorage(dir) })))
      expect(outcomes(report)).toEqual([
        ["alpha", null, 2],
        ["beta", "worker", 0],
        ["gamma", null, 2]
      ])
      expect(report.shards[1]?.error?.message).toContain("no-such-shard-worker.js")
      // The worker never started, so never told its end: populate does, from its report.
      expect(told.filter((progress) => progress.shard === "beta").map((progress) => progress.phase)).toEqual(["failed"])
    })
  )

  it.effect("keeps in this thread the shards whose database another selected shard writes, and those whose input is already open", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      // Beta writes to alpha's database (its table migrated there): the two share one connection.
      const routers = [
        {
          dbForWrite: (model: string) => (model === "Beta" ? Option.some("alpha") : Option.none()),
          allowMigrate: (database: string, model: string) => (database === "alpha" && model === "Beta" ? Option.some(true) : Option.none())
        }
      ]
      const gamma = [{ id: 7, body: "seven", stars: 1 }]
      const report = yield* populate({
        workers: { script: missingScript, wanted: () => true },
        inputs: (shard) => (shard.name === "gamma" ? openedInput(memoryInput(gamma, "gamma fixture")) : undefined)
      }).pipe(Effect.provide(testLayer(shards, dir, { routers, storage: writerStorage(dir) })))
      expect(outcomes(report)).toEqual([
        ["alpha", null, 2],
        ["beta", null, 2],
        ["gamma", null, 1]
      ])
      expect(report.shards.map((shard) => shard.database)).toEqual(["alpha", "alpha", "gamma"])
    })
  )

  it("sends a worker only what it can open itself: the sample data or a file, not standard input", () => {
    expect([SAMPLE_DATA, inputFile("users.csv"), inputFile("-", "csv"), openedInput(memoryInput([], "fixture"))].map(isWorkerSource)).toEqual([
      true,
      true,
      false,
      false
    ])
  })
})
