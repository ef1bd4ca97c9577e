import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { notesFile, openNotes, openNotesError, snapshot } from "@distributed-insert/storage-sqljs/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, } from "effect"
import { populate } from "./populate.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

// The sql.js storage's file tests that run populate; the others are in storage-sqljs. The
// storage on a real file system: every case ends at once with a StorageError saying what is
// wrong, and the files are left exactly as they were.

const notes = noteShard("notes")
const fileOf = (dir: string) => join(dir, "notes.db")

describe("SqlJsStorage and a file that fails SQLite's integrity check", () => {
  /** A notes file that opens, but with a leaf page's cell pointers pointing past the page. */
  const damaged = Effect.map(notesFile(2000), (bytes) => {
    const copy = new Uint8Array(bytes)
    const pageSize = 4096
    copy.set([0x0f, 0xff, 0x0f, 0xff], 5 * pageSize + 8)
    return copy
  })

  it.effect("a reader opens it and sees the problems; a writer refuses it, and populate leaves it byte for byte", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const bytes = yield* damaged
      yield* Effect.promise(() => writeFile(fileOf(dir), bytes))

      const reader = yield* openNotes(dir, "read")
      expect((yield* reader.integrityProblems).join("\n")).toMatch(/Offset \d+ out of range/)

      const refused = yield* openNotesError(dir, "write")
      expect(refused.reason).toMatch(/^it fails SQLite's integrity check \(.*Offset \d+ out of range.*\), so it is not loaded/)

      const report = yield* populate().pipe(
        Effect.provide(testLayer([notes], dir, { storage: SqlJsStorage.layer({ dataDir: dir, writer: { waitSeconds: 0 } }) }))
      )
      expect(report.shards[0]?.error?.operation).toBe("open")
      expect(report.shards[0]?.counts.inserted).toBe(0)
      expect(yield* snapshot(dir)).toEqual({ "notes.db": Buffer.from(bytes) })
    })
  )
})
