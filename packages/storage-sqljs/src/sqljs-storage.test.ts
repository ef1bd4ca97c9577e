import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { type Migration, ShardName } from "@distributed-insert/shard"
import { RowOutcome, type ShardDatabase, ShardStorage } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlJsStorage } from "./sqljs-storage.ts"
import { queryFile } from "./testing.ts"

// What the sql.js backend does beyond the conformance suite (sqljs-conformance.test.ts): its
// files, and SQLite's own words.

const name = ShardName.make("notes")
const fileOf = (dir: string) => join(dir, "notes.db")

/** Runs `use` on the notes database of a storage layer of its own: a fresh sql.js database read from the file. */
const withDatabase = <A, E>(dataDir: string, use: (database: ShardDatabase) => Effect.Effect<A, E>) =>
  Effect.flatMap(ShardStorage, (storage) => Effect.flatMap(storage.database(name), use)).pipe(
    Effect.provide(SqlJsStorage.layer({ dataDir }))
  )

const rowsOf = (database: ShardDatabase) => database.select(notes, {})

describe("SqlJsStorage files", () => {
  it.effect("writes nothing before persist, then round-trips rows through the file", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          expect(database.exists).toBe(false)
          expect(database.location).toBe(fileOf(dir))
          yield* database.migrate(notes.model, notes.migrations)
          expect(yield* database.insertBatch(notes, [[2, "two", 0], [1, "one", 5]])).toEqual([RowOutcome.inserted, RowOutcome.inserted])
          expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
          yield* database.persist
          expect(database.exists).toBe(true)
        })
      )

      const reopened = yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          return { exists: database.exists, rows: yield* rowsOf(database), one: yield* database.select(notes, { key: 2 }) }
        })
      )
      expect(reopened).toEqual({
        exists: true,
        rows: [
          { id: 1, body: "one", stars: 5 },
          { id: 2, body: "two", stars: 0 }
        ],
        one: [{ id: 2, body: "two", stars: 0 }]
      })
      expect(yield* queryFile(fileOf(dir), "SELECT id, body, stars FROM notes ORDER BY id")).toEqual([
        [1, "one", 5],
        [2, "two", 0]
      ])
    })
  )

  it.effect("persist replaces the file in place and leaves no temp file behind; persistWhole folds the journal in", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.persist
          yield* database.insertBatch(notes, [[1, "one", 5]])
          yield* database.persist
          // Rows after the first snapshot went to the journal; the whole write folds it in.
          expect((yield* Effect.promise(() => readdir(dir))).sort()).toEqual(["notes.db", "notes.db.redo"])
          yield* (database.persistWhole ?? database.persist)
        })
      )
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["notes.db"])
      expect(yield* queryFile(fileOf(dir), "SELECT count(*) FROM notes")).toEqual([[1]])
    })
  )

  it.effect("reset empties the database in memory; the file changes only with the next persist", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.insertBatch(notes, [[1, "one", 5], [2, "two", 0]])
          yield* database.persist
          yield* database.reset
          expect(yield* database.appliedMigrations).toEqual([])
          const error = yield* Effect.flip(database.count(notes.table))
          expect(error).toMatchObject({ _tag: "StorageError", operation: "read", reason: "no such table: notes" })

          // Another layer reads the file: still the persisted rows.
          expect(yield* withDatabase(dir, (other) => other.count(notes.table))).toBe(2)
          yield* database.persist
        })
      )
      expect(yield* withDatabase(dir, (database) => database.appliedMigrations)).toEqual([])
      expect(yield* queryFile(fileOf(dir), "SELECT count(*) FROM sqlite_master")).toEqual([[0]])
    })
  )
})

describe("SqlJsStorage migrations", () => {
  const index: Migration = { version: 2, description: "index stars", sql: "CREATE INDEX notes_stars ON notes (stars)" }
  const broken: Migration = { version: 3, description: "broken", sql: "ALTER TABLE notes ADD COLUMN" }

  it.effect("applies each migration once and records it in the ledger, across reopenings", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const [v1] = notes.migrations
      const ledger = yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          expect(yield* database.migrate(notes.model, [...notes.migrations, index])).toEqual([v1, index])
          expect(yield* database.migrate(notes.model, [...notes.migrations, index])).toEqual([])
          yield* database.persist
          return yield* database.appliedMigrations
        })
      )
      expect(ledger.map(({ model, version, description }) => ({ model, version, description }))).toEqual([
        { model: "Notes", version: 1, description: "create notes" },
        { model: "Notes", version: 2, description: "index stars" }
      ])
      for (const entry of ledger) expect(Number.isNaN(Date.parse(entry.appliedAt))).toBe(false)

      const again = yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          return { ran: yield* database.migrate(notes.model, [...notes.migrations, index]), ledger: yield* database.appliedMigrations }
        })
      )
      expect(again).toEqual({ ran: [], ledger })
      expect(yield* queryFile(fileOf(dir), "SELECT model, version FROM _migrations ORDER BY version")).toEqual([
        ["Notes", 1],
        ["Notes", 2]
      ])
    })
  )

  it.effect("a failing migration is a StorageError and keeps the ones before it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(database.migrate(notes.model, [...notes.migrations, index, broken]))
          expect(error).toMatchObject({ _tag: "StorageError", operation: "migrate", shard: "notes", location: fileOf(dir) })
          expect(error.reason).toMatch(/^migration Notes v3 \(broken\): /)
          expect((yield* database.appliedMigrations).map((entry) => entry.version)).toEqual([1, 2])
        })
      )
    })
  )
})

describe("SqlJsStorage conflict modes", () => {
  it.effect("fails, skips or replaces a row whose key is taken, and refuses other constraint violations in every mode", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* withDatabase(dir, (database) =>
        Effect.gen(function* () {
          yield* database.migrate(notes.model, notes.migrations)
          yield* database.insertBatch(notes, [[1, "one", 1]])
          expect(yield* database.insertBatch(notes, [[1, "again", 2]])).toEqual([RowOutcome.refused({ kind: "unique", column: "id", constraint: null, message: "UNIQUE constraint failed: notes.id" })])
          expect(yield* database.insertBatch(notes, [[1, "skipped", 3], [2, "two", 2]], "skip")).toEqual([RowOutcome.skipped, RowOutcome.inserted])
          expect(yield* database.insertBatch(notes, [[2, "replaced", 4], [3, "three", 3]], "replace")).toEqual([
            RowOutcome.replaced,
            RowOutcome.inserted
          ])
          expect(yield* database.insertBatch(notes, [[4, null, 1], [1, "too many", 9]], "skip")).toEqual([
            RowOutcome.refused({ kind: "not-null", column: "body", constraint: null, message: "NOT NULL constraint failed: notes.body" }),
            RowOutcome.refused({ kind: "check", column: null, constraint: null, message: "CHECK constraint failed: at_most_five" })
          ])
          expect(yield* rowsOf(database)).toEqual([
            { id: 1, body: "one", stars: 1 },
            { id: 2, body: "replaced", stars: 4 },
            { id: 3, body: "three", stars: 3 }
          ])
        })
      )
    })
  )
})
