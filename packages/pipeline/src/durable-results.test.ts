import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { openDurableResults } from "./durable-results.ts"
import { insertedResult } from "./insert-records.ts"
import { tempDir } from "./testing.ts"

const resultLine = (position: number) => JSON.stringify({ shard: "notes", ...insertedResult(position, position, { id: position, body: "x".repeat(80) }) })

const linesOf = (path: string) =>
  Effect.promise(async () => (await readFile(path, "utf8")).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line)))

describe("durable results", () => {
  it.effect("holds lines back until durable, spilling megabytes to the spool, then appends them whole and in order", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const path = join(dir, "report.ndjson")
      yield* Effect.promise(() => writeFile(path, ""))
      const results = openDurableResults("notes", { path, spool: join(dir, "spool") })
      // About 3 MB: spilled to the spool at least twice before the checkpoint.
      for (let position = 1; position <= 20_000; position++) results.append(resultLine(position))
      expect(yield* linesOf(path)).toEqual([])
      results.durable(20_000)
      for (let position = 20_001; position <= 20_003; position++) results.append(resultLine(position))
      results.abandon("disk full")
      results.close()

      const lines = yield* linesOf(path)
      expect(lines).toHaveLength(20_004)
      expect(lines.slice(0, 20_000).map((line) => line.position)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1))
      expect(lines[20_000]).toMatchObject({ shard: "notes", checkpoint: { through: 20_000 } })
      expect(lines.slice(20_001).map((line) => [line.position, line.status, line.errors])).toEqual([
        [20_001, "failed", ["not persisted: disk full"]],
        [20_002, "failed", ["not persisted: disk full"]],
        [20_003, "failed", ["not persisted: disk full"]]
      ])
    })
  )

  it.effect("a report that cannot be opened is a ReportError naming it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const path = join(dir, "missing", "report.ndjson")
      expect(() => openDurableResults("notes", { path, spool: join(dir, "spool") })).toThrow(expect.objectContaining({ _tag: "ReportError", path }))
    })
  )
})
