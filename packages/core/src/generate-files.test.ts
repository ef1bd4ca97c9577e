import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { generateFiles } from "./generate-files.ts"
import { ShardRegistry } from "./registry.ts"
import { tempDir } from "./testing.ts"
import { tagShard } from "./testing-generators.ts"

const registry = ShardRegistry.layer([tagShard(), tagShard({ name: "labels" })])
const options = { count: 3000, invalidRatio: 0.2, seed: 8 }
const read = (path: string) => Effect.promise(() => readFile(path, "utf8"))

describe("generateFiles", () => {
  it.effect("writes <out>/<shard>.ndjson for every shard, reported in registration order", () =>
    Effect.gen(function* () {
      const outDir = join(yield* tempDir, "generated")
      const files = yield* generateFiles({ ...options, outDir }).pipe(Effect.provide(registry))
      expect(files.map((file) => [file.shard, file.path, file.counts.total])).toEqual([
        ["tags", join(outDir, "tags.ndjson"), 3000],
        ["labels", join(outDir, "labels.ndjson"), 3000]
      ])
      expect((yield* Effect.promise(() => readdir(outDir))).sort()).toEqual(["labels.ndjson", "tags.ndjson"])
    })
  )

  it.effect("writes only the selected shards, with the same data as when all are generated", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* generateFiles({ ...options, outDir: join(dir, "all") }).pipe(Effect.provide(registry))
      const files = yield* generateFiles({ ...options, outDir: join(dir, "one"), shards: ["LABELS"] }).pipe(Effect.provide(registry))
      expect(files.map((file) => file.shard)).toEqual(["labels"])
      expect(yield* Effect.promise(() => readdir(join(dir, "one")))).toEqual(["labels.ndjson"])
      expect(yield* read(join(dir, "one", "labels.ndjson"))).toBe(yield* read(join(dir, "all", "labels.ndjson")))
    })
  )

  it.effect("fails with UnknownShardError for a shard that is not registered, writing nothing", () =>
    Effect.gen(function* () {
      const outDir = join(yield* tempDir, "generated")
      const error = yield* Effect.flip(generateFiles({ ...options, outDir, shards: ["tags", "nope"] }).pipe(Effect.provide(registry)))
      expect(error._tag).toBe("UnknownShardError")
      expect(yield* Effect.promise(() => readdir(outDir).catch(() => "no directory"))).toBe("no directory")
    })
  )
})
