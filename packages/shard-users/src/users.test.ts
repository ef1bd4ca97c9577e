import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { listRecords, populate, Router, ShardRegistry } from "@distributed-insert/pipeline"
import { checkGenerators } from "@distributed-insert/shard"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { expect, it } from "@effect/vitest"
import { Effect, Layer, Result } from "effect"
import { sampleUsers, users } from "./mod.ts"

/** The seed's errors for each of its ten users, in order; null when the user is inserted. */
const seed = [null, null, null, null, null, null, null, null, null, ["Name cannot be empty"]]

it.effect("loads the seed's users as the seed does: users 1-9 inserted, user 10 refused", () =>
  Effect.gen(function* () {
    const dataDir = yield* Effect.acquireRelease(Effect.promise(() => mkdtemp(join(tmpdir(), "shard-users-"))), (dir) =>
      Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const layer = Router.layer().pipe(Layer.provideMerge(ShardRegistry.layer([users])), Layer.provideMerge(SqlJsStorage.layer({ dataDir })))
    const [report, stored] = yield* Effect.all([populate(), listRecords("User")]).pipe(Effect.provide(layer))

    const records = report.shards[0]?.records ?? []
    expect(records.map((record) => record.data)).toEqual(sampleUsers)
    expect(records.map((record) => record.errors)).toEqual(seed)
    expect(records.map((record) => record.status)).toEqual(seed.map((errors) => (errors === null ? "inserted" : "invalid")))
    expect(report.summary).toMatchObject({ processed: 10, inserted: 9, invalid: 1, failed: 0 })
    expect(stored.rows).toEqual(sampleUsers.slice(0, 9))
  })
)

it("reports every broken rule of a user, in the seed's order", () => {
  const messages = Result.mapError(users.validate({ id: 11, name: "", email: "" }), (issues) => issues.map((issue) => issue.message))
  expect(messages).toEqual(Result.fail(["Email cannot be empty", "Name cannot be empty"]))
})

it("generates valid users that pass validation, and invalid ones that each break exactly their rule", () => {
  expect(checkGenerators(users)).toEqual([])
})
