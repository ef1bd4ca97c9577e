import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { tagShard } from "@distributed-insert/shard/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { generateFiles } from "./generate-files.ts"

const tags = tagShard()
const labels = tagShard({ name: "labels" })
const options = { count: 3000, invalidRatio: 0.2, seed: 8 }
const read = (path: string) => Effect.promise(() => readFile(path, "utf8"))

describe("generateFiles", () => {
  it.effect("writes <out>/<shard>.ndjson for every shard, reported in the order given", () =>
    Effect.gen(function* () {
      const outDir = join(yield* tempDir, "generated")
      const files = yield* generateFiles([tags, labels], { ...options, outDir })
      expect(files.map((file) => [file.shard, file.path, file.counts.total])).toEqual([
        ["tags", join(outDir, "tags.ndjson"), 3000],
        ["labels", join(outDir, "labels.ndjson"), 3000]
      ])
      expect((yield* Effect.promise(() => readdir(outDir))).sort()).toEqual(["labels.ndjson", "tags.ndjson"])
    })
  )

  it.effect("writes only the shards given, with the same data as when all are generated", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* generateFiles([tags, labels], { ...options, outDir: join(dir, "all") })
      const files = yield* generateFiles([labels], { ...options, outDir: join(dir, "one") })
      expect(files.map((file) => file.shard)).toEqual(["labels"])
      expect(yield* Effect.promise(() => readdir(join(dir, "one")))).toEqual(["labels.ndjson"])
      expect(yield* read(join(dir, "one", "labels.ndjson"))).toBe(yield* read(join(dir, "all", "labels.ndjson")))
    })
  )
})
