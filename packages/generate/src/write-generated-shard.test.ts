import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { tagGenerators, tagShard } from "@distributed-insert/shard/testing"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Result } from "effect"
import { generateNdjson } from "./generate.ts"
import { writeGeneratedShard } from "./write-generated-shard.ts"

const tags = tagShard()
const options = { count: 50_000, invalidRatio: 0.1, seed: 4 }

/** The text `generateNdjson` yields for the same shard and options, to compare the file with. */
const expectedText = (): string => {
  const chunks = [...Result.getOrThrow(generateNdjson(tags, options))]
  return Buffer.concat(chunks).toString("utf8")
}

const read = (path: string) => Effect.promise(() => readFile(path, "utf8"))
const list = (dir: string) => Effect.promise(() => readdir(dir))

describe("writeGeneratedShard", () => {
  it.effect("writes the generated NDJSON, creating the directory, and returns the counts", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const path = join(dir, "nested", "out", "tags.ndjson")
      const counts = yield* writeGeneratedShard(tags, path, options)
      const text = yield* read(path)
      expect(text).toBe(expectedText())
      const lines = text.split("\n").slice(0, -1)
      expect([lines.length, counts.total]).toEqual([50_000, 50_000])
      expect(counts.invalid).toBe(lines.filter((line) => Result.isFailure(tags.validate(JSON.parse(line)))).length)
      expect(yield* list(join(dir, "nested", "out"))).toEqual(["tags.ndjson"])
    })
  )

  it.effect("replaces a file that is already there", () =>
    Effect.gen(function* () {
      const path = join(yield* tempDir, "tags.ndjson")
      yield* Effect.promise(() => writeFile(path, "old content\n"))
      yield* writeGeneratedShard(tags, path, options)
      expect(yield* read(path)).toBe(expectedText())
    })
  )

  it.effect("fails with GeneratorsMissingError, creating nothing, for a shard without generators", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const error = yield* Effect.flip(writeGeneratedShard(tagShard({ generators: null }), join(dir, "tags.ndjson"), options))
      expect(error._tag).toBe("GeneratorsMissingError")
      expect(yield* list(dir)).toEqual([])
    })
  )

  it.effect("fails with GeneratedFileError naming the path when its directory cannot be created", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.promise(() => writeFile(join(dir, "plain-file"), ""))
      const path = join(dir, "plain-file", "tags.ndjson")
      const error = yield* Effect.flip(writeGeneratedShard(tags, path, options))
      expect(error._tag).toBe("GeneratedFileError")
      expect(error.message).toContain(`cannot write the generated data of shard tags to ${path}: creating its directory:`)
    })
  )

  it.effect("leaves the previous file, and no temp file, when generation breaks down after some chunks were written", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const path = join(dir, "tags.ndjson")
      yield* Effect.promise(() => writeFile(path, "old content\n"))
      const breaksDown = tagShard({
        generators: {
          ...tagGenerators,
          valid: (id, random) => {
            if (id >= 45_000) throw new Error("generator broke down")
            return tagGenerators.valid(id, random)
          }
        }
      })
      const exit = yield* Effect.exit(writeGeneratedShard(breaksDown, path, options))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("generator broke down")
      expect(yield* list(dir)).toEqual(["tags.ndjson"])
      expect(yield* read(path)).toBe("old content\n")
    })
  )
})
