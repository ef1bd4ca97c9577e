import { ShardName } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { RowOutcome, ShardStorage } from "./storage.ts"
import { MemoryStorage, notesModel, storageConformance } from "./testing.ts"

storageConformance("memory", {
  open: (place) => MemoryStorage.layer(place),
  newPlace: MemoryStorage.newPlace,
  runsMigrationSql: false
})

const name = ShardName.make("notes")
const bytesTarget = { table: "blobs", columns: ["id", "data"], primaryKey: "id" }

/** `work` on database `notes` of a memory storage at `place` (a private one when none is given). */
const withNotes = <A, E>(place: string | undefined, work: (storage: ShardStorage["Service"]) => Effect.Effect<A, E>) =>
  Effect.provide(Effect.flatMap(ShardStorage, work), MemoryStorage.layer(place))

describe("MemoryStorage", () => {
  it.effect("says what it is: committed at once, no text rules, no files, no worker threads, a memory location", () =>
    Effect.gen(function* () {
      const place = yield* MemoryStorage.newPlace
      yield* withNotes(place, (storage) =>
        Effect.gen(function* () {
          const database = yield* storage.database(name)
          expect(database).toMatchObject({ durability: "commit", textRules: [], location: `memory:${place}/notes` })
          expect(storage.workerConfig).toBeUndefined()
          expect(yield* storage.fileRole(database.location, [name])).toBeUndefined()
        })
      )
    })
  )

  it.effect("refuses a taken key with its own message, and a row without a key or of the wrong width", () =>
    Effect.gen(function* () {
      const outcomes = yield* withNotes(undefined, (storage) =>
        Effect.gen(function* () {
          const database = yield* storage.database(name)
          return yield* database.insertBatch(notesModel, [[1, "one", 1], [1, "again", 2], [null, "no key", 1], [2, "short"]])
        })
      )
      expect(outcomes).toEqual([
        RowOutcome.inserted,
        RowOutcome.refused({ kind: "unique", column: "id", constraint: null, message: "duplicate key value violates primary key notes.id" }),
        RowOutcome.refused({ kind: "not-null", column: "id", constraint: null, message: "null value in primary key notes.id" }),
        RowOutcome.refused({ kind: "other", column: null, constraint: null, message: "2 values for the 3 columns of notes" })
      ])
    })
  )

  it.effect("records migrations without running them: a table reads as empty until a batch creates it", () =>
    Effect.gen(function* () {
      yield* withNotes(undefined, (storage) =>
        Effect.gen(function* () {
          const database = yield* storage.database(name)
          yield* database.migrate(notesModel.model, [{ version: 1, description: "not SQL", sql: "THIS IS NOT SQL" }])
          expect(yield* database.count(notesModel.table)).toBe(0)
          expect(yield* database.select(notesModel, {})).toEqual([])
          expect(yield* database.insertBatch(notesModel, [[1, null, 99]])).toEqual([RowOutcome.inserted])
          expect(yield* database.select(notesModel, {})).toEqual([{ id: 1, body: null, stars: 99 }])
        })
      )
    })
  )

  it.effect("finds a numeric key given as text, as an engine compares it with a numeric key column", () =>
    Effect.gen(function* () {
      yield* withNotes(undefined, (storage) =>
        Effect.gen(function* () {
          const database = yield* storage.database(name)
          yield* database.insertBatch(notesModel, [[1, "one", 1], ["2", "two as text", 2]])
          expect(yield* database.select(notesModel, { key: "1" })).toEqual([{ id: 1, body: "one", stars: 1 }])
          expect(yield* database.select(notesModel, { key: "2" })).toEqual([{ id: "2", body: "two as text", stars: 2 }])
          expect(yield* database.select(notesModel, { key: 2 })).toEqual([])
        })
      )
    })
  )

  it.effect("keeps bytes as they were given, whatever the caller does to its array afterwards", () =>
    Effect.gen(function* () {
      yield* withNotes(undefined, (storage) =>
        Effect.gen(function* () {
          const database = yield* storage.database(name)
          const given = Uint8Array.from([1, 2, 3])
          yield* database.insertBatch(bytesTarget, [[1, given]])
          given[0] = 9
          const [read] = yield* database.select(bytesTarget, {})
          expect(read).toEqual({ id: 1, data: Uint8Array.from([1, 2, 3]) })
          const readBytes = read?.["data"]
          if (readBytes instanceof Uint8Array) readBytes[0] = 7
          expect(yield* database.select(bytesTarget, {})).toEqual([{ id: 1, data: Uint8Array.from([1, 2, 3]) }])
        })
      )
    })
  )

  it.effect("a layer without a place has one of its own, which no other layer sees; a named place outlives its layer", () =>
    Effect.gen(function* () {
      const place = yield* MemoryStorage.newPlace
      const write = (at: string | undefined) =>
        withNotes(at, (storage) => Effect.flatMap(storage.database(name), (database) => database.insertBatch(notesModel, [[1, "one", 1]])))
      const exists = (at: string | undefined) => withNotes(at, (storage) => Effect.map(storage.database(name), (database) => database.exists))
      yield* write(undefined)
      yield* write(place)
      expect(yield* exists(undefined)).toBe(false)
      expect(yield* exists(place)).toBe(true)
    })
  )
})
