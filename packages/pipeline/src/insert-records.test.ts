import { memoryInput } from "@distributed-insert/input"
import type { Shard } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { insertedResult, insertRecords, type ResultSink } from "./insert-records.ts"
import type { RecordResult } from "./report.ts"
import { noteShard, storageIn, tempDir } from "./testing.ts"

const notes = noteShard("notes")

const collect = (results: Array<RecordResult>): ResultSink => ({
  inserted: (position, line, data) => results.push(insertedResult(position, line, data)),
  conflicted: (result) => results.push(result),
  rejected: (result) => results.push(result)
})

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

/** A fresh database for `shard` in a temp folder, with its migrations applied. */
const migratedDatabase = (shard: Shard) =>
  Effect.gen(function* () {
    const storage = yield* storageIn(yield* tempDir)
    const database = yield* storage.database(shard.name)
    yield* database.migrate(shard.model, shard.migrations)
    return database
  })

describe("insertRecords", () => {
  it.effect.each([1, 2, 4, 10_000])("is atomic per record with batches of %i: a refused row leaves no trace, its neighbours land", (batchSize) =>
    Effect.gen(function* () {
      const database = yield* migratedDatabase(notes)
      const results: Array<RecordResult> = []

      yield* insertRecords(notes, database, memoryInput(records, "test"), collect(results), { batchSize })

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

  it.effect("a batch with no valid record still reports every record", () =>
    Effect.gen(function* () {
      const database = yield* migratedDatabase(notes)
      const results: Array<RecordResult> = []

      yield* insertRecords(notes, database, memoryInput([{ id: 1, body: "x", stars: -1 }, "not a record"], "test"), collect(results))

      expect(results.map((result) => result.errors)).toEqual([["Stars cannot be negative"], ["a record must be an object, got string"]])
      expect(yield* database.count(notes.table)).toBe(0)
    })
  )

  it.effect("undoes all of a refused record's statement, including what its trigger wrote, and keeps its neighbours'", () =>
    Effect.gen(function* () {
      // Every note is copied to an audit table by a trigger that refuses four stars: the note's
      // own row is written first, so only statement atomicity can take it back.
      const audited = { ...notes, migrations: [...notes.migrations, auditedByTrigger] }
      const database = yield* migratedDatabase(audited)
      const results: Array<RecordResult> = []
      const input = [3, 4, 5].map((stars) => ({ id: stars, body: `${stars} stars`, stars }))

      yield* insertRecords(audited, database, memoryInput(input, "test"), collect(results), { batchSize: 10 })

      expect(results.map((result) => [result.status, result.errors])).toEqual([
        ["inserted", null],
        ["failed", ["CHECK constraint failed: no_four"]],
        ["inserted", null]
      ])
      expect((yield* database.select(audited, {})).map((row) => row["id"])).toEqual([3, 5])
      expect(yield* database.count("notes_audit")).toBe(2)
    })
  )
})

const auditedByTrigger = {
  version: 2,
  description: "audit notes",
  sql: `CREATE TABLE notes_audit (note_id INTEGER NOT NULL, stars INTEGER NOT NULL CONSTRAINT no_four CHECK (stars <> 4));
        CREATE TRIGGER notes_audited AFTER INSERT ON notes BEGIN INSERT INTO notes_audit VALUES (NEW.id, NEW.stars); END;`
}
