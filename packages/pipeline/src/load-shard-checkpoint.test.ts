import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { InputError, type ShardInput, type SourceItem } from "@distributed-insert/input"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { loadShard, openShard } from "./load-shard.ts"
import { routeShard } from "./routed-shard.ts"
import { noteShard, queryFile, tempDir, testLayer } from "./testing.ts"

const notes = noteShard("notes")
const note = (id: number): SourceItem => ({ _tag: "Record", line: id, value: { id, body: `note ${id}`, stars: id % 7 === 0 ? -1 : 1 } })

/** `count` notes, one chunk each; reading fails after them when `failAfter` is set, as a broken input would. */
const notesInput = (count: number, failAfter = false): ShardInput => ({
  origin: "notes.ndjson",
  textValues: false,
  source: {
    async *[Symbol.asyncIterator]() {
      for (let id = 1; id <= count; id++) yield [note(id)]
      if (failAfter) throw new InputError({ origin: "notes.ndjson", reason: "disk read error" })
    }
  }
})

interface ReportLine {
  readonly shard: string
  readonly position?: number
  readonly status?: string
  readonly checkpoint?: { readonly through: number; readonly at: string }
}

const load = (dir: string, input: ShardInput, report: string) =>
  Effect.gen(function* () {
    yield* Effect.promise(() => writeFile(report, ""))
    const opened = yield* openShard(yield* routeShard(notes), () => Effect.void)
    return yield* loadShard(opened, input, {
      settings: { batchSize: 10, checkpointRecords: 25, checkpointSeconds: 0 },
      files: { report: { path: report, spool: join(dir, "notes.spool") } }
    })
  }).pipe(Effect.provide(testLayer([notes], dir)))

const readReport = (path: string) =>
  Effect.promise(async () =>
    (await readFile(path, "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line): ReportLine => JSON.parse(line))
  )

describe("loadShard checkpoints", () => {
  it.effect("persists between batches once enough records passed, and the report file marks each checkpoint after its records", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const reportPath = join(dir, "report.ndjson")
      const report = yield* load(dir, notesInput(100), reportPath)

      // Batches of 10: 25 records are due at the batch ending at 30, then 60 and 90; 100 is the final write.
      expect(report).toMatchObject({ error: null, checkpoints: 3, durableThrough: 100 })
      const lines = yield* readReport(reportPath)
      expect(lines.flatMap((line) => (line.checkpoint === undefined ? [] : [line.checkpoint.through]))).toEqual([30, 60, 90, 100])
      // Every result line comes after the previous marker and before the one that makes it durable.
      let through = 0
      for (const line of lines) {
        if (line.checkpoint !== undefined) through = line.checkpoint.through
        else expect(line.position ?? 0).toBeGreaterThan(through)
      }
      expect(lines.filter((line) => line.position !== undefined).map((line) => line.position)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    })
  )

  it.effect("after a failure, only the records past the last checkpoint are failed as not persisted, and the file keeps the rest", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const reportPath = join(dir, "report.ndjson")
      const report = yield* load(dir, notesInput(47, true), reportPath)

      expect(report.error?.operation).toBe("input")
      expect(report).toMatchObject({ checkpoints: 1, durableThrough: 30 })
      // 1..30: 4 invalid (7, 14, 21, 28), 26 inserted and durable; 31..40 reached memory only (35 invalid).
      expect(report.counts).toEqual({ processed: 40, inserted: 26, replaced: 0, skipped: 0, invalid: 5, failed: 9 })
      expect(report.rejectedByRule).toMatchObject({ "not-persisted": 9 })
      expect(report.records?.find((record) => record.position === 30)?.status).toBe("inserted")
      expect(report.records?.find((record) => record.position === 31)?.status).toBe("failed")
      const stored = yield* queryFile(join(dir, "notes.db"), "SELECT id FROM notes ORDER BY id")
      expect(stored.map(([id]) => id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1).filter((id) => id % 7 !== 0))

      const lines = yield* readReport(reportPath)
      expect(lines.filter((line) => line.checkpoint !== undefined).map((line) => line.checkpoint?.through)).toEqual([30])
      const after = lines.filter((line) => (line.position ?? 0) > 30)
      expect(after.map((line) => line.status)).toEqual(Array.from({ length: 10 }, (_, i) => ((31 + i) % 7 === 0 ? "invalid" : "failed")))
    })
  )
})
