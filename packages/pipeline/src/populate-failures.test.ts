import { readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { populate } from "./populate.ts"
import { noteShard, queryFile, tempDir, testLayer } from "./testing.ts"

const shards = [noteShard("alpha"), noteShard("beta"), noteShard("gamma")]

describe("populate when a shard fails", () => {
  it.effect("a shard whose file is not SQLite is reported as an open error while the others complete and persist", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const garbage = new TextEncoder().encode("\u0000garbage\u00ff".repeat(100))
      yield* Effect.promise(() => writeFile(join(dir, "beta.db"), garbage))

      const report = yield* populate().pipe(Effect.provide(testLayer(shards, dir)))

      const [alpha, beta, gamma] = report.shards
      expect(beta).toMatchObject({ shard: "beta", database: null, location: join(dir, "beta.db"), records: [] })
      expect(beta?.error?.operation).toBe("open")
      expect(beta?.error?.message).toContain(join(dir, "beta.db"))
      for (const shard of [alpha, gamma]) {
        expect(shard?.error).toBeNull()
        expect(shard?.counts).toEqual({ processed: 3, inserted: 2, replaced: 0, skipped: 0, invalid: 1, failed: 0 })
      }
      expect(yield* queryFile(join(dir, "alpha.db"), "SELECT id FROM alpha ORDER BY id")).toEqual([[1], [3]])
      expect(yield* queryFile(join(dir, "gamma.db"), "SELECT id FROM gamma ORDER BY id")).toEqual([[1], [3]])
      expect(new Uint8Array(yield* Effect.promise(() => readFile(join(dir, "beta.db"))))).toEqual(garbage)
      // The shard that could not open lists none of its records: they count as not processed.
      expect(report.summary).toMatchObject({ processed: 6, inserted: 4, failedShards: 1 })
    })
  )

  it.effect("a model routed to no registered shard is reported as a route error while the others complete", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const routers = [{ dbForWrite: (model: string) => (model === "Beta" ? Option.some("nowhere") : Option.none()) }]
      const report = yield* populate().pipe(Effect.provide(testLayer(shards, dir, { routers })))

      expect(report.shards.map((shard) => shard.error?.operation ?? null)).toEqual([null, "route", null])
      expect(report.shards[1]).toMatchObject({ database: null, location: null, records: [] })
      expect([...(yield* Effect.promise(() => readdir(dir)))].sort()).toEqual(["alpha.db", "gamma.db"])
    })
  )

  it.effect("when the files cannot be written, the records inserted in memory are failed as not persisted", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      // A data directory that is a dangling symlink: reading finds no file, creating it fails.
      const dataDir = join(dir, "data")
      yield* Effect.promise(() => symlink(join(dir, "missing"), dataDir))

      const report = yield* populate().pipe(Effect.provide(testLayer(shards, dataDir)))

      for (const shard of report.shards) {
        expect(shard.error?.operation).toBe("persist")
        expect((shard.records ?? []).map((record) => record.status)).toEqual(["failed", "invalid", "failed"])
        const [first, second] = shard.records ?? []
        expect(first?.issues).toEqual([
          { kind: "database", field: null, rule: "not-persisted", message: `not persisted: ${shard.error?.message}` }
        ])
        expect(first?.errors).toEqual([`not persisted: ${shard.error?.message}`])
        expect(second?.errors).toEqual(["Stars cannot be negative"])
      }
      expect(report.summary).toMatchObject({ processed: 9, inserted: 0, invalid: 3, failed: 6, failedShards: 3 })
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["data"])
    })
  )

  it.effect("when the data directory is a regular file, every shard fails to open (ENOTDIR) and the file is untouched", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const dataDir = join(dir, "data")
      yield* Effect.promise(() => writeFile(dataDir, "not a directory"))

      const report = yield* populate().pipe(Effect.provide(testLayer(shards, dataDir)))

      for (const shard of report.shards) {
        expect(shard).toMatchObject({ database: null, location: join(dataDir, `${shard.shard}.db`), records: [] })
        expect(shard.error?.operation).toBe("open")
        expect(shard.error?.message).toContain("ENOTDIR")
      }
      expect(yield* Effect.promise(() => readFile(dataDir, "utf8"))).toBe("not a directory")
    })
  )
})
