import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { memoryInput, type ShardInput, type SourceItem } from "@distributed-insert/input"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadShard, openShard, type ShardProgress } from "./load-shard.ts"
import { routeShard } from "./routed-shard.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

const notes = noteShard("notes")
const records = (count: number) => Array.from({ length: count }, (_, i) => ({ id: i + 1, body: `note ${i + 1}`, stars: 1 }))

const loadWithProgress = (count: number, options: { readonly batchSize: number; readonly checkpointRecords?: number }) =>
  Effect.gen(function* () {
    const dir = yield* tempDir
    const told: Array<ShardProgress> = []
    const report = yield* Effect.gen(function* () {
      const opened = yield* openShard(yield* routeShard(notes), () => Effect.void)
      return yield* loadShard(opened, memoryInput(records(count), "notes"), {
        settings: { batchSize: options.batchSize, checkpointRecords: options.checkpointRecords ?? 0, checkpointSeconds: 0 },
        onProgress: (progress) => told.push(progress)
      })
    }).pipe(Effect.provide(testLayer([notes], dir)))
    return { report, told }
  })

describe("loadShard progress", () => {
  it.effect("moves with every chunk of records read, not only once per batch", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const items = records(5000).map((value, index): SourceItem => ({ _tag: "Record", line: index + 1, value }))
      // Chunks of 1,500, 1,500 and 2,000 records, as a reader hands them over, in one batch of 10,000.
      const input: ShardInput = { source: [items.slice(0, 1500), items.slice(1500, 3000), items.slice(3000)], origin: "notes", textValues: false }
      const told: Array<ShardProgress> = []
      yield* Effect.gen(function* () {
        const opened = yield* openShard(yield* routeShard(notes), () => Effect.void)
        return yield* loadShard(opened, input, { settings: { batchSize: 10_000 }, onProgress: (progress) => told.push(progress) })
      }).pipe(Effect.provide(testLayer([notes], dir)))
      // Told when loading starts, after each chunk, and after the commit.
      const seen = told.filter((progress) => progress.phase === "loading").map((progress) => progress.seen)
      expect(seen).toEqual([0, 1500, 3000, 5000, 5000])
      // Seen runs ahead of the committed counts within the batch, never behind them.
      for (const progress of told) expect(progress.seen).toBeGreaterThanOrEqual(progress.counts.processed)
    })
  )

  it.effect("says when the shard writes its database, and ends with done exactly once, with the final counts", () =>
    Effect.gen(function* () {
      const { report, told } = yield* loadWithProgress(2900, { batchSize: 500, checkpointRecords: 1000 })
      const phases = told.map((progress) => progress.phase)
      // Two checkpoints (after 1,000 and 2,000 records) and the final write, each told as it
      // starts; the final one is told again once it has made everything durable.
      expect(phases.filter((phase) => phase === "writing")).toHaveLength(4)
      expect(phases.filter((phase) => phase === "done")).toHaveLength(1)
      expect(phases.at(-1)).toBe("done")
      expect(phases.at(-2)).toBe("writing")
      expect(told.at(-1)).toMatchObject({ shard: "notes", seen: 2900, counts: report.counts, input: { done: 2900, total: 2900 } })
    })
  )

  it.effect("tells what is durable as each write makes it so, with the counts of those records", () =>
    Effect.gen(function* () {
      const { report, told } = yield* loadWithProgress(2900, { batchSize: 500, checkpointRecords: 1000 })
      const throughs = told.map((progress) => progress.durable.through).filter((through, index, all) => through !== all[index - 1])
      expect(throughs).toEqual([0, 1000, 2000, 2900])
      const afterFirst = told.find((progress) => progress.durable.through === 1000)
      expect(afterFirst?.durable.counts).toEqual({ processed: 1000, inserted: 1000, replaced: 0, skipped: 0, invalid: 0, failed: 0 })
      // Nothing is durable until a write says so: while loading, what was committed is ahead of it.
      for (const progress of told) expect(progress.durable.through).toBeLessThanOrEqual(progress.counts.processed)
      expect(told.at(-1)?.durable).toEqual({ through: 2900, counts: report.counts })
    })
  )

  it.effect("a shard that cannot load still ends with failed, so a display knows it is finished", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.promise(() => writeFile(join(dir, "notes.db"), "not a SQLite database\n".repeat(40)))
      const told: Array<ShardProgress> = []
      const report = yield* Effect.gen(function* () {
        const opened = yield* openShard(yield* routeShard(notes), () => Effect.void)
        return yield* loadShard(opened, memoryInput(records(10), "notes"), { onProgress: (progress) => told.push(progress) })
      }).pipe(Effect.provide(testLayer([notes], dir)))
      expect(report.error).not.toBeNull()
      expect(told.map((progress) => progress.phase)).toEqual(["failed"])
    })
  )
})
