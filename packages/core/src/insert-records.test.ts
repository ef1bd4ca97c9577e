import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { insertRecords } from "./insert-records.ts"
import { memoryInput } from "./sample-input.ts"
import type { RecordResult } from "./report.ts"
import { noteShard, storageIn, tempDir } from "./testing.ts"

const notes = noteShard("notes")

/** Refused rows in the middle of the input, each between rows that land. */
const records = [
  { id: 1, body: "one", stars: 1 },
  { id: 1, body: "one again", stars: 2 },
  { id: 2, body: null, stars: 2 },
  { id: 3, body: "too many stars", stars: 9 },
  { id: 4, body: "negative stars", stars: -1 },
  { id: 5, body: "five", stars: 5 }
]

const expected: ReadonlyArray<Pick<RecordResult, "status" | "issues">> = [
  { status: "inserted", issues: [] },
  { status: "failed", issues: [{ kind: "database", field: "id", rule: "unique", message: "UNIQUE constraint failed: notes.id" }] },
  { status: "failed", issues: [{ kind: "database", field: "body", rule: "not-null", message: "NOT NULL constraint failed: notes.body" }] },
  { status: "failed", issues: [{ kind: "database", field: null, rule: "check", message: "CHECK constraint failed: at_most_five" }] },
  { status: "invalid", issues: [{ kind: "validation", field: "stars", rule: "stars-not-negative", message: "Stars cannot be negative" }] },
  { status: "inserted", issues: [] }
]

describe("insertRecords", () => {
  it.scoped.each([1, 2, 4, 10_000])("is atomic per record with batches of %i: a refused row leaves no trace, its neighbours land", (batchSize) =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const storage = yield* storageIn(dir)
      const database = yield* storage.database(notes.name)
      yield* database.migrate(notes.model, notes.migrations)
      const results: Array<RecordResult> = []

      yield* insertRecords(notes, database, memoryInput(records, "test"), (result) => results.push(result), { batchSize })

      expect(results.map(({ status, issues }) => ({ status, issues }))).toEqual(expected)
      expect(results.map(({ position, line, data }) => ({ position, line, data }))).toEqual(
        records.map((data, index) => ({ position: index + 1, line: index + 1, data }))
      )
      expect(results.map(({ success, errors }) => ({ success, errors }))).toEqual(
        expected.map(({ status, issues }) => ({ success: status === "inserted", errors: status === "inserted" ? null : issues.map((issue) => issue.message) }))
      )
      expect(yield* database.select(notes, {})).toEqual([
        { id: 1, body: "one", stars: 1 },
        { id: 5, body: "five", stars: 5 }
      ])
    })
  )

  it.scoped("a batch with no valid record still reports every record", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const storage = yield* storageIn(dir)
      const database = yield* storage.database(notes.name)
      yield* database.migrate(notes.model, notes.migrations)
      const results: Array<RecordResult> = []

      yield* insertRecords(notes, database, memoryInput([{ id: 1, body: "x", stars: -1 }, "not a record"], "test"), (result) =>
        results.push(result)
      )

      expect(results.map((result) => result.errors)).toEqual([["Stars cannot be negative"], ["a record must be an object, got string"]])
      expect(yield* database.count(notes.table)).toBe(0)
    })
  )
})
