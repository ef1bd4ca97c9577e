import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { listRecords, populate, Router, ShardRegistry } from "@distributed-insert/pipeline"
import { checkGenerators } from "@distributed-insert/shard"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { expect, it } from "@effect/vitest"
import { Effect, Layer, Result } from "effect"
import { orders, sampleOrders } from "./mod.ts"

/** The seed's errors for each of its ten orders, in order; null when the order is inserted (order 10 too: product 11 is not checked). */
const seed = [null, null, null, null, null, null, null, ["Quantity must be positive"], ["Quantity must be positive"], null]

const messagesOf = (input: unknown) => Result.mapError(orders.validate(input), (issues) => issues.map((issue) => issue.message))

it.effect("loads the seed's orders as the seed does: orders 8 and 9 refused, the others inserted", () =>
  Effect.gen(function* () {
    const dataDir = yield* Effect.acquireRelease(Effect.promise(() => mkdtemp(join(tmpdir(), "shard-orders-"))), (dir) =>
      Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const layer = Router.layer().pipe(Layer.provideMerge(ShardRegistry.layer([orders])), Layer.provideMerge(SqlJsStorage.layer({ dataDir })))
    const [report, stored] = yield* Effect.all([populate(), listRecords("Order")]).pipe(Effect.provide(layer))

    const records = report.shards[0]?.records ?? []
    expect(records.map((record) => record.data)).toEqual(sampleOrders)
    expect(records.map((record) => record.errors)).toEqual(seed)
    expect(records.map((record) => record.status)).toEqual(seed.map((errors) => (errors === null ? "inserted" : "invalid")))
    expect(report.summary).toMatchObject({ processed: 10, inserted: 8, invalid: 2, failed: 0 })
    expect(stored.rows).toEqual(sampleOrders.filter((order) => order.quantity > 0))
  })
)

it("reports every broken rule of an order, in the seed's order", () => {
  expect(messagesOf({ id: 11, user_id: 0, product_id: 1, quantity: 0 })).toEqual(Result.fail(["Quantity must be positive", "IDs must be positive"]))
})

it("reports the IDs rule once, however many of the ids break it", () => {
  expect(messagesOf({ id: 11, user_id: 0, product_id: -1, quantity: 1 })).toEqual(Result.fail(["IDs must be positive"]))
})

it("generates valid orders that pass validation, and invalid ones that each break exactly their rule", () => {
  expect(checkGenerators(orders)).toEqual([])
})
