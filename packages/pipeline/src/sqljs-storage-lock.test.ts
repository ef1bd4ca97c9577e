import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { acquireShardLock, SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { populate } from "./populate.ts"
import { noteShard, queryFile, tempDir, testLayer } from "./testing.ts"

// The sql.js storage's lock tests that run populate; the others are in storage-sqljs.

const filesIn = (dir: string) => Effect.promise(() => readdir(dir).then((names) => names.sort()))

describe("SqlJsStorage with a writer lock", () => {
  it.live("two writer runs over the same shards take their locks in one order, so neither waits on the other forever", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const shards = ["alpha", "beta", "gamma"].map(noteShard)
      // Each run would hold one shard while waiting for another's if they locked in any order;
      // the wait is shorter than the test's timeout, so a deadlock fails an assertion.
      const run = populate().pipe(Effect.provide(testLayer(shards, dir, { storage: SqlJsStorage.layer({ dataDir: dir, writer: { waitSeconds: 10 } }) })))
      const reports = yield* Effect.all([run, run], { concurrency: "unbounded" })
      for (const [index, shard] of shards.entries()) {
        const [first, second] = reports.map((report) => report.shards[index])
        expect([first?.error, second?.error]).toEqual([null, null])
        // One run inserted the shard's two valid notes; the other found them there.
        expect([first?.counts.inserted, second?.counts.inserted].sort()).toEqual([0, 2])
        expect(yield* queryFile(join(dir, `${shard.name}.db`), `SELECT count(*) FROM ${shard.name}`)).toEqual([[2]])
      }
      expect(yield* filesIn(dir)).toEqual(["alpha.db", "beta.db", "gamma.db"])
    })
  )

  it.live("a writer run takes its locks one at a time in name order: waiting for one, it holds none of the later ones", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const shards = ["gamma", "beta", "alpha"].map(noteShard)
      const holding = yield* Scope.make()
      yield* acquireShardLock({ shard: "beta", location: join(dir, "beta.db"), waitSeconds: 0 }).pipe(Scope.provide(holding))
      let waiting = false
      const writer = { waitSeconds: 30, onWait: () => Effect.sync(() => (waiting = true)) }
      const run = yield* Effect.forkChild(populate().pipe(Effect.provide(testLayer(shards, dir, { storage: SqlJsStorage.layer({ dataDir: dir, writer }) }))))
      while (!waiting) yield* Effect.sleep("10 millis")
      expect(yield* filesIn(dir)).toEqual(["alpha.db.lock", "beta.db.lock"])
      yield* Scope.close(holding, Exit.void)
      const report = yield* Fiber.join(run)
      expect(report.shards.map((shard) => [shard.shard, shard.counts.inserted, shard.error])).toEqual([
        ["gamma", 2, null],
        ["beta", 2, null],
        ["alpha", 2, null]
      ])
      expect(yield* filesIn(dir)).toEqual(["alpha.db", "beta.db", "gamma.db"])
    })
  )
})
