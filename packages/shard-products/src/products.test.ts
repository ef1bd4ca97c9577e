import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { listRecords, populate, Router, ShardRegistry } from "@distributed-insert/pipeline"
import { checkGenerators } from "@distributed-insert/shard"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { expect, it } from "@effect/vitest"
import { Effect, Layer, Result } from "effect"
import { products, sampleProducts } from "./mod.ts"

/** The seed's errors for each of its ten products, in order; null when the product is inserted. */
const seed = [null, null, null, null, null, null, null, null, null, ["Price must be positive"]]

const messagesOf = (input: unknown) => Result.mapError(products.validate(input), (issues) => issues.map((issue) => issue.message))

it.effect("loads the seed's products as the seed does: products 1-9 inserted, product 10 refused", () =>
  Effect.gen(function* () {
    const dataDir = yield* Effect.acquireRelease(Effect.promise(() => mkdtemp(join(tmpdir(), "shard-products-"))), (dir) =>
      Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const layer = Router.layer().pipe(Layer.provideMerge(ShardRegistry.layer([products])), Layer.provideMerge(SqlJsStorage.layer({ dataDir })))
    const [report, stored] = yield* Effect.all([populate(), listRecords("Product")]).pipe(Effect.provide(layer))

    const records = report.shards[0]?.records ?? []
    expect(records.map((record) => record.data)).toEqual(sampleProducts)
    expect(records.map((record) => record.errors)).toEqual(seed)
    expect(records.map((record) => record.status)).toEqual(seed.map((errors) => (errors === null ? "inserted" : "invalid")))
    expect(report.summary).toMatchObject({ processed: 10, inserted: 9, invalid: 1, failed: 0 })
    expect(stored.rows).toEqual(sampleProducts.slice(0, 9))
  })
)

it("reports every broken rule of a product, in the seed's order", () => {
  expect(messagesOf({ id: 11, name: "", price: 0 })).toEqual(Result.fail(["Price must be positive", "Name cannot be empty"]))
})

it("refuses a price that is not a finite number", () => {
  expect(messagesOf({ id: 11, name: "Ghost", price: Number.NaN })).toEqual(Result.fail(["price: Expected a finite number, actual NaN"]))
})

it("generates valid products that pass validation, and invalid ones that each break exactly their rule", () => {
  expect(checkGenerators(products)).toEqual([])
})
