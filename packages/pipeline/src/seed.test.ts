import { orders } from "@distributed-insert/shard-orders"
import { products } from "@distributed-insert/shard-products"
import { users } from "@distributed-insert/shard-users"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import { tempDir, testLayer } from "./testing.ts"

/**
 * The seed's run through the pipeline, with the three shard packages and their sample data:
 * what only a load into databases shows. Which sample records each shard refuses, and with
 * which messages, is each shard package's conformance test; the CLI's tests run the same load
 * end to end.
 */
describe("the seed's load", () => {
  const shards = [users, products, orders]

  it.effect("inserts 26 of the 30 sample records: every valid one, none refused by a database", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const report = yield* populate().pipe(Effect.provide(testLayer(shards, dir)))

      expect(report.summary).toMatchObject({ processed: 30, inserted: 26, invalid: 4, failed: 0, failedShards: 0 })
      expect(report.shards.map((shard) => [shard.shard, shard.counts.inserted, shard.counts.invalid])).toEqual([
        ["users", 9, 1],
        ["products", 9, 1],
        ["orders", 8, 2]
      ])
      shards.forEach((shard, index) => {
        const records = report.shards[index]?.records ?? []
        // Each record is reported as given, with its shard's messages when it is refused (null when inserted).
        expect(records.map((record) => record.data)).toEqual(shard.sample)
        const errors = shard.sample.map((record) => Result.match(shard.validate(record), { onSuccess: () => null, onFailure: (issues) => issues.map((issue) => issue.message) }))
        expect(records.map((record) => record.errors)).toEqual(errors)
        expect(records.map((record) => record.status)).toEqual(errors.map((messages) => (messages === null ? "inserted" : "invalid")))
      })
    })
  )

  it.effect("stores each valid sample record exactly as given, and nothing else", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* populate().pipe(Effect.provide(testLayer(shards, dir)))
      for (const shard of shards) {
        const stored = yield* listRecords(shard.model).pipe(Effect.provide(testLayer(shards, dir)))
        expect(stored.rows).toEqual(shard.sample.filter((record) => Result.isSuccess(shard.validate(record))))
      }
    })
  )
})
