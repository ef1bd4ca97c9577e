import { readdir } from "node:fs/promises"
import { memoryInput } from "@distributed-insert/input"
import { ShardStorage, StorageError } from "@distributed-insert/storage"
import { MemoryStorage } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { openedInput } from "./input-source.ts"
import { listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

// The pipeline over a backend that is not sql.js: it knows the storage only by its interface, so
// an engine that commits at once, keeps no file and has its own words works as it is.

const shards = [noteShard("alpha"), noteShard("beta")]

describe("the pipeline over the memory storage", () => {
  it.effect("populate loads the sample data, reports every record, and committed rows are durable as they land", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const place = yield* MemoryStorage.newPlace
      const layer = testLayer(shards, dir, { storage: MemoryStorage.layer(place) })
      const report = yield* populate({ settings: { batchSize: 1 } }).pipe(Effect.provide(layer))

      expect(report.shards.map((shard) => ({ shard: shard.shard, database: shard.database, location: shard.location, error: shard.error }))).toEqual(
        shards.map(({ name }) => ({ shard: name, database: name, location: `memory:${place}/${name}`, error: null }))
      )
      for (const [index, { name, model }] of shards.entries()) {
        const shard = report.shards[index]
        expect(shard?.records?.map(({ position, status, errors }) => ({ position, status, errors }))).toEqual([
          { position: 1, status: "inserted", errors: null },
          { position: 2, status: "invalid", errors: ["Stars cannot be negative"] },
          { position: 3, status: "inserted", errors: null }
        ])
        expect(shard?.migrationsApplied).toEqual([{ model, version: 1, description: `create ${name}` }])
        expect(shard?.counts).toEqual({ processed: 3, inserted: 2, replaced: 0, skipped: 0, invalid: 1, failed: 0 })
        expect(shard?.rejectedByRule).toEqual({ "stars-not-negative": 1 })
        // Each batch was durable once committed: nothing waits for a persist, nothing is lost without one.
        expect(shard?.durableThrough).toBe(3)
      }
      expect(report.summary).toMatchObject({ processed: 6, inserted: 4, invalid: 2, failed: 0, failedShards: 0 })

      const listed = yield* listRecords("Alpha").pipe(Effect.provide(layer))
      expect(listed).toEqual({
        model: "Alpha",
        database: "alpha",
        location: `memory:${place}/alpha`,
        rows: [
          { id: 1, body: "alpha one", stars: 5 },
          { id: 3, body: "alpha three", stars: 0 }
        ]
      })
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    })
  )

  it.effect("with workers wanted for every shard, a run stays on this backend, in this thread", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const place = yield* MemoryStorage.newPlace
      const layer = testLayer(shards, dir, { storage: MemoryStorage.layer(place) })
      // No such script: a shard sent to a worker would fail with the worker's error.
      const workers = { script: new URL("./no-such-worker.js", import.meta.url), wanted: () => true }
      const report = yield* populate({ workers }).pipe(Effect.provide(layer))

      expect(report.shards.map((shard) => [shard.shard, shard.error, shard.counts.inserted])).toEqual([
        ["alpha", null, 2],
        ["beta", null, 2]
      ])
      expect((yield* listRecords("Beta").pipe(Effect.provide(layer))).rows.map((row) => row["id"])).toEqual([1, 3])
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    })
  )

  it.effect("a second run finds the first one's rows and refuses their keys with the backend's own message", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const place = yield* MemoryStorage.newPlace
      yield* populate().pipe(Effect.provide(testLayer(shards, dir, { storage: MemoryStorage.layer(place) })))
      const second = yield* populate().pipe(Effect.provide(testLayer(shards, dir, { storage: MemoryStorage.layer(place) })))

      const [alpha] = second.shards
      expect(alpha?.records?.map(({ status, issues }) => ({ status, issues }))).toEqual([
        {
          status: "failed",
          issues: [{ kind: "database", field: "id", rule: "unique", message: "duplicate key value violates primary key alpha.id" }]
        },
        { status: "invalid", issues: [expect.objectContaining({ rule: "stars-not-negative" })] },
        {
          status: "failed",
          issues: [{ kind: "database", field: "id", rule: "unique", message: "duplicate key value violates primary key alpha.id" }]
        }
      ])
      expect(second.shards.map((shard) => [shard.migrationsApplied, shard.durableThrough])).toEqual([
        [[], 3],
        [[], 3]
      ])

      const rerun = yield* populate({ reset: true }).pipe(Effect.provide(testLayer(shards, dir, { storage: MemoryStorage.layer(place) })))
      expect(rerun.summary).toMatchObject({ inserted: 4, failed: 0 })
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    })
  )

  it.effect("a commit database that fails mid-load: its committed batches stay inserted and durable, none called not persisted", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const place = yield* MemoryStorage.newPlace
      // The memory storage, its third batch failing as a server whose connection dropped would.
      let batches = 0
      const failing = Layer.effect(
        ShardStorage,
        Effect.gen(function* () {
          const storage = yield* ShardStorage
          return ShardStorage.of({
            ...storage,
            database: (name) =>
              Effect.map(storage.database(name), (database) => ({
                ...database,
                // A getter, as the database's own: it changes with the first write.
                get exists() {
                  return database.exists
                },
                insertBatch: (target, rows, onConflict) =>
                  ++batches === 3
                    ? Effect.fail(new StorageError({ shard: name, location: database.location, operation: "insert", reason: "connection lost" }))
                    : database.insertBatch(target, rows, onConflict)
              }))
          })
        })
      ).pipe(Layer.provide(MemoryStorage.layer(place)))
      const alpha = shards[0]
      const notes = Array.from({ length: 6 }, (_, index) => ({ id: index + 1, body: `note ${index + 1}`, stars: 1 }))
      const report = yield* populate({
        shards: ["alpha"],
        inputs: () => openedInput(memoryInput(notes, "notes")),
        settings: { batchSize: 2 }
      }).pipe(Effect.provide(testLayer(shards, dir, { storage: failing })))

      const [shard] = report.shards
      expect(shard?.error).toEqual({ operation: "insert", message: expect.stringContaining("connection lost") })
      // Two batches committed, so durable: their four records are inserted, as the database holds them.
      expect(shard?.durableThrough).toBe(4)
      expect(shard?.counts).toEqual({ processed: 4, inserted: 4, replaced: 0, skipped: 0, invalid: 0, failed: 0 })
      expect(shard?.rejectedByRule).toEqual({})
      expect(shard?.records?.map(({ position, status }) => [position, status])).toEqual([
        [1, "inserted"],
        [2, "inserted"],
        [3, "inserted"],
        [4, "inserted"]
      ])
      const listed = yield* listRecords(alpha?.model ?? "").pipe(Effect.provide(testLayer(shards, dir, { storage: MemoryStorage.layer(place) })))
      expect(listed.rows.map((row) => row["id"])).toEqual([1, 2, 3, 4])
    })
  )
})
