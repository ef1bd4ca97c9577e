import { copyFile, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { MemoryStorage } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { checkShards } from "./check.ts"
import { claimedDatabases, unclaimedDatabases } from "./claimed-databases.ts"
import { listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

const alpha = noteShard("alpha")
const beta = noteShard("beta")
const gamma = noteShard("gamma")

/** Every file in `dir` with its bytes, to prove that looking changed nothing. */
const snapshot = (dir: string) =>
  Effect.promise(async () => {
    const names = (await readdir(dir)).sort()
    return Promise.all(names.map(async (name) => [name, new Uint8Array(await readFile(join(dir, name)))] as const))
  })

describe("claimedDatabases", () => {
  it.effect("every registered shard's own database and those its model is routed to, once each, in registration order", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const routers = [
        // Gamma reads from alpha's database; beta's model goes nowhere the registry knows.
        { dbForRead: (model: string) => (model === "Gamma" ? Option.some("alpha") : Option.none()) },
        { dbForWrite: (model: string) => (model === "Beta" ? Option.some("retired") : Option.none()) }
      ]
      const claimed = yield* claimedDatabases.pipe(Effect.provide(testLayer([gamma, beta, alpha], dir, { routers })))
      // An unroutable model still claims its own database: its file is a registered shard's.
      expect(claimed).toEqual(["gamma", "alpha", "beta"])
    })
  )
})

describe("unclaimedDatabases", () => {
  it.effect("over the memory storage: a database no registered shard uses is listed, and stays as it was", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const place = yield* MemoryStorage.newPlace
      const layer = (shards: ReadonlyArray<Shard>) => testLayer(shards, dir, { storage: MemoryStorage.layer(place) })
      yield* populate().pipe(Effect.provide(layer([alpha, beta, gamma])))

      expect(yield* unclaimedDatabases.pipe(Effect.provide(layer([alpha, beta, gamma])))).toEqual([])
      // Beta's plugin removed: its data is nobody's, whichever shards a command selected.
      expect(yield* unclaimedDatabases.pipe(Effect.provide(layer([alpha, gamma])))).toEqual([
        { name: "beta", location: `memory:${place}/beta`, sidecars: [] }
      ])
      const rows = yield* listRecords("Beta").pipe(Effect.provide(layer([alpha, beta, gamma])))
      expect(rows.rows.map((row) => row["id"])).toEqual([1, 3])
    })
  )

  it.effect("over sql.js files: a copy of a shard file under another name is listed, a stray file is not, and no byte changes", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* populate().pipe(Effect.provide(testLayer([alpha, beta], dir)))
      yield* Effect.promise(async () => {
        await copyFile(join(dir, "alpha.db"), join(dir, "legacy.db"))
        await writeFile(join(dir, "notes.txt"), "not a database")
        await writeFile(join(dir, "stray.db"), "not a database either")
      })
      const before = yield* snapshot(dir)

      const registered = testLayer([alpha, beta], dir)
      expect(yield* unclaimedDatabases.pipe(Effect.provide(registered))).toEqual([
        { name: "legacy", location: join(dir, "legacy.db"), sidecars: [] }
      ])
      // With beta's plugin removed, its file is nobody's too; the shards' checks are as before.
      const withoutBeta = testLayer([alpha], dir)
      expect((yield* unclaimedDatabases.pipe(Effect.provide(withoutBeta))).map((database) => database.name)).toEqual(["beta", "legacy"])
      expect((yield* checkShards().pipe(Effect.provide(withoutBeta))).map((result) => [result.shard, result.status])).toEqual([["alpha", "ok"]])
      expect(yield* snapshot(dir)).toEqual(before)
    })
  )

  it.effect("over sql.js files: a data directory that does not exist holds none, and is not created", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      expect(yield* unclaimedDatabases.pipe(Effect.provide(testLayer([alpha], join(dir, "nowhere"))))).toEqual([])
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    })
  )
})
