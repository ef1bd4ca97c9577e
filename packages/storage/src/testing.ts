/**
 * The storage conformance suite, and an in-memory backend.
 *
 * `storageConformance` registers the tests every `ShardStorage` backend must pass, written
 * against the interface alone so that any engine runs them unchanged: a backend's test file
 * calls it with how to open the backend on a place (a directory, a server database) and how to
 * get a fresh place. "Closing and reopening" is closing the layer's scope and building a new
 * layer on the same place, which is what a run ending and the next one starting does.
 *
 * The suite's tables come from migrations whose SQL is valid for both SQLite and PostgreSQL, and
 * from engine-neutral `createTable` migrations, which every backend renders in its own dialect
 * (types, NOT NULL, the primary key, names that need quoting). A backend that cannot run SQL
 * (`runsMigrationSql: false`, like `MemoryStorage`) skips the tests of what only that SQL declares
 * (NOT NULL, CHECK, unique keys besides the primary key, foreign keys, a failing migration); it
 * still runs those of `createTable`.
 *
 * Not part of the package's main entry: it imports `@effect/vitest`, which only tests may load.
 *
 * @module
 */
import { type Migration, type Row, ShardName, type SqlValue } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer, type Scope } from "effect"
import { type Refusal, type RowOutcome, type ShardDatabase, ShardStorage, type TableTarget } from "./storage.ts"

export { MemoryStorage } from "./memory-storage.ts"

/** How the suite opens a backend. */
export interface StorageBackend<E = never> {
  /**
   * The storage at `place`, as a writer (it takes its databases' locks, if it has any) or as a
   * reader, open until the layer's scope closes. `databases` are the names the suite will open
   * (always the same few), for a backend that must be told its databases up front, such as one
   * mapping each name to a server database.
   */
  readonly open: (place: string, use: "read" | "write", databases: ReadonlyArray<ShardName>) => Layer.Layer<ShardStorage, E>
  /** A place nothing has been stored at (a temp directory, say), cleaned up when the scope closes. */
  readonly newPlace: Effect.Effect<string, never, Scope.Scope>
  /**
   * Whether migrations' SQL is run, so that the constraints it declares (NOT NULL, CHECK, UNIQUE,
   * REFERENCES) refuse rows and a broken migration fails. False for a backend that only records
   * migrations.
   */
  readonly runsMigrationSql: boolean
}

/** A model of the suite's: where its rows go, and the migrations that make its table. */
export interface ModelFixture extends TableTarget {
  readonly model: string
  readonly migrations: ReadonlyArray<Migration>
}

/** Rows refused by NOT NULL (`body`) and CHECK (`stars` above five, constraint `at_most_five`). */
export const notesModel: ModelFixture = {
  model: "Notes",
  table: "notes",
  columns: ["id", "body", "stars"],
  primaryKey: "id",
  migrations: [
    {
      version: 1,
      description: "create notes",
      sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, stars INTEGER NOT NULL CONSTRAINT at_most_five CHECK (stars <= 5))"
    }
  ]
}

/** A second model, with a text key, to share a database with notes. */
const tagsModel: ModelFixture = {
  model: "Tags",
  table: "tags",
  columns: ["name", "color"],
  primaryKey: "name",
  migrations: [{ version: 1, description: "create tags", sql: "CREATE TABLE tags (name TEXT PRIMARY KEY, color TEXT NOT NULL)" }]
}

/** One column per kind of value, every one nullable; BIGINT and DOUBLE PRECISION hold JavaScript's safe integers and doubles exactly. */
const samplesModel: ModelFixture = {
  model: "Samples",
  table: "samples",
  columns: ["id", "label", "amount", "ratio"],
  primaryKey: "id",
  migrations: [
    {
      version: 1,
      description: "create samples",
      sql: "CREATE TABLE samples (id INTEGER PRIMARY KEY, label TEXT, amount BIGINT, ratio DOUBLE PRECISION)"
    }
  ]
}

/** Uniqueness besides the primary key: one column (`email`) and two together (`team`, `seat`). */
const membersModel: ModelFixture = {
  model: "Members",
  table: "members",
  columns: ["id", "email", "team", "seat"],
  primaryKey: "id",
  migrations: [
    {
      version: 1,
      description: "create members",
      sql: "CREATE TABLE members (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, team INTEGER NOT NULL, seat INTEGER NOT NULL, UNIQUE (team, seat))"
    }
  ]
}

/** Books refer to their author: two tables from one migration of two statements. */
const booksModel: ModelFixture = {
  model: "Books",
  table: "books",
  columns: ["id", "author_id", "title"],
  primaryKey: "id",
  migrations: [
    {
      version: 1,
      description: "create authors and books",
      sql:
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL); " +
        "CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors (id), title TEXT NOT NULL)"
    }
  ]
}

/**
 * A table from an engine-neutral definition, as `defineShard` derives one: an integer key, NOT
 * NULL text, integer and double columns, and a nullable text column.
 */
export const ratingsModel: ModelFixture = {
  model: "Ratings",
  table: "ratings",
  columns: ["id", "title", "stars", "score", "note"],
  primaryKey: "id",
  migrations: [
    {
      version: 1,
      description: "create ratings",
      createTable: {
        table: "ratings",
        columns: [
          { name: "id", type: "integer", notNull: true },
          { name: "title", type: "text", notNull: true },
          { name: "stars", type: "integer", notNull: true },
          { name: "score", type: "real", notNull: true },
          { name: "note", type: "text", notNull: false }
        ],
        primaryKey: "id"
      }
    }
  ]
}

/**
 * A `createTable` with a text key, and names a dialect must quote: SQL keywords, a space, a quote.
 * (A refusal names its column only where the engine's message can be read for it: on `group`.)
 */
const awkwardModel: ModelFixture = {
  model: "Awkward",
  table: "order",
  columns: ["select", "two words", 'say "hi"', "group"],
  primaryKey: "select",
  migrations: [
    {
      version: 1,
      description: "create order",
      createTable: {
        table: "order",
        columns: [
          { name: "select", type: "text", notNull: true },
          { name: "two words", type: "integer", notNull: false },
          { name: 'say "hi"', type: "text", notNull: false },
          { name: "group", type: "real", notNull: true }
        ],
        primaryKey: "select"
      }
    }
  ]
}

const authorsTarget: TableTarget = { table: "authors", columns: ["id", "name"], primaryKey: "id" }

const indexStars: Migration = { version: 2, description: "index stars", sql: "CREATE INDEX notes_stars ON notes (stars)" }

const shard = ShardName.make("conformance")
const otherShard = ShardName.make("conformance-other")
const thirdShard = ShardName.make("conformance-third")

type Use = "read" | "write"

/** A note as `select` gives it back. */
const note = (id: number, body: string, stars: number) => ({ id, body, stars })

/**
 * Registers the conformance tests of backend `name`. They run with the real clock (`it.live`):
 * a backend may wait on its own timers (a lock, a connection).
 */
export const storageConformance = <E>(name: string, backend: StorageBackend<E>): void => {
  /** `work` on the storage at `place`, opened for it and closed after it. */
  const withStorage = <A, E2>(place: string, use: Use, work: (storage: ShardStorage["Service"]) => Effect.Effect<A, E2>) =>
    Effect.provide(Effect.flatMap(ShardStorage, work), backend.open(place, use, [shard, otherShard, thirdShard]))

  /** `work` on database `database` of the storage at `place`, opened for it and closed after it. */
  const withDatabase = <A, E2>(place: string, use: Use, work: (database: ShardDatabase) => Effect.Effect<A, E2>, database = shard) =>
    withStorage(place, use, (storage) => Effect.flatMap(storage.database(database), work))

  /** `work` on the database at `place` once notes' table is migrated and `rows` inserted. */
  const notesWith = <A, E2>(place: string, rows: ReadonlyArray<Row>, work: (database: ShardDatabase) => Effect.Effect<A, E2>) =>
    withDatabase(place, "write", (database) =>
      Effect.gen(function* () {
        yield* database.migrate(notesModel.model, notesModel.migrations)
        expect(yield* database.insertBatch(notesModel, rows)).toEqual(rows.map(() => inserted))
        return yield* work(database)
      })
    )

  /** The primary keys of `target`'s rows, in the order `select` gives them. */
  const ids = (database: ShardDatabase, target: TableTarget = notesModel) =>
    Effect.map(database.select(target, {}), (rows) => rows.map((row) => row[target.primaryKey]))

  describe(`${name} storage conformance`, () => {
    it.live("hands out the same database for the same name, even when asked concurrently", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        yield* withStorage(place, "write", (storage) =>
          Effect.gen(function* () {
            const [first, second] = yield* Effect.all([storage.database(shard), storage.database(shard)], { concurrency: "unbounded" })
            expect(first).toBe(second)
            expect(yield* storage.database(shard)).toBe(first)
            expect(first.name).toBe(shard)
            expect(yield* storage.database(otherShard)).not.toBe(first)
          })
        )
      })
    )

    it.live("a database does not exist before its first write, and does after, across a reopening", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        yield* withStorage(place, "write", (storage) =>
          Effect.gen(function* () {
            const database = yield* storage.database(shard)
            expect(database.exists).toBe(false)
            yield* database.migrate(notesModel.model, notesModel.migrations)
            yield* database.insertBatch(notesModel, [[1, "one", 1]])
            yield* database.persist
            expect(database.exists).toBe(true)
            expect((yield* storage.database(otherShard)).exists).toBe(false)
          })
        )
        expect(yield* withDatabase(place, "read", (database) => Effect.succeed(database.exists))).toBe(true)
        expect(yield* withDatabase(place, "read", (database) => Effect.succeed(database.exists), otherShard)).toBe(false)
      })
    )

    it.live("lockAll and lock do not fail, repeated names included, and the databases stay usable; a reader's do nothing", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        yield* withStorage(place, "write", (storage) =>
          Effect.gen(function* () {
            yield* storage.lockAll([otherShard, shard, otherShard])
            yield* storage.lock(shard)
            const database = yield* storage.database(shard)
            yield* database.migrate(notesModel.model, notesModel.migrations)
            expect(yield* database.insertBatch(notesModel, [[1, "one", 1]])).toEqual([inserted])
            yield* database.persist
          })
        )
        yield* withStorage(place, "read", (storage) =>
          Effect.gen(function* () {
            yield* storage.lockAll([shard, otherShard])
            expect(yield* Effect.flatMap(storage.database(shard), (database) => database.count(notesModel.table))).toBe(1)
          })
        )
      })
    )

    it.live("fileRole claims no path that is none of its files", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        yield* withStorage(place, "write", (storage) =>
          Effect.gen(function* () {
            yield* storage.database(shard)
            expect(yield* storage.fileRole(`${place}/report.ndjson`, [shard])).toBeUndefined()
          })
        )
      })
    )

    it.live("unclaimed lists the written databases none of the names is, in name order, and changes, locks and creates nothing", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        expect(yield* withStorage(place, "read", (storage) => storage.unclaimed([shard]))).toEqual([])
        for (const database of [shard, otherShard]) {
          yield* withDatabase(
            place,
            "write",
            (opened) =>
              Effect.gen(function* () {
                yield* opened.migrate(notesModel.model, notesModel.migrations)
                yield* opened.insertBatch(notesModel, [[1, "one", 1]])
                yield* opened.persist
              }),
            database
          )
        }
        const otherLocation = yield* withDatabase(place, "read", (database) => Effect.succeed(database.location), otherShard)

        // As a run sees it: holding its own database, opening one it never writes, while it asks.
        yield* withStorage(place, "write", (storage) =>
          Effect.gen(function* () {
            yield* storage.database(shard)
            expect((yield* storage.database(thirdShard)).exists).toBe(false)
            const found = yield* storage.unclaimed([shard])
            expect(found.map((database) => [database.name, database.location])).toEqual([[otherShard, otherLocation]])
            expect(yield* storage.unclaimed([shard, otherShard, thirdShard])).toEqual([])
            expect((yield* storage.unclaimed([])).map((database) => database.name)).toEqual([shard, otherShard])
            // Not locked by the asking: another writer can write it meanwhile.
            yield* withDatabase(place, "write", (database) => Effect.andThen(database.insertBatch(notesModel, [[2, "two", 2]]), database.persist), otherShard)
          })
        )
        // Nothing of it changed but the other writer's row, and the unopened name was not created.
        expect(yield* withDatabase(place, "read", (database) => ids(database), otherShard)).toEqual([1, 2])
        expect(yield* withDatabase(place, "read", (database) => ids(database))).toEqual([1])
        expect((yield* withStorage(place, "read", (storage) => storage.unclaimed([shard]))).map((database) => database.name)).toEqual([otherShard])
      })
    )

    it.live("finds no integrity problem in a sound database, empty or not", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        yield* withDatabase(place, "write", (database) =>
          Effect.gen(function* () {
            expect(yield* database.integrityProblems).toEqual([])
            yield* database.migrate(notesModel.model, notesModel.migrations)
            yield* database.insertBatch(notesModel, [[1, "one", 1], [2, "two", 2], [1, "again", 3]])
            expect(yield* database.integrityProblems).toEqual([])
          })
        )
      })
    )

    describe("a batch", () => {
      it.live("inserts each row on its own: a taken primary key is refused as unique on the key column, and its neighbours land", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              yield* database.migrate(notesModel.model, notesModel.migrations)
              const outcomes = yield* database.insertBatch(notesModel, [[1, "one", 1], [2, "two", 2], [1, "duplicate", 3], [3, "three", 3]])
              expect(outcomes.map((outcome) => outcome._tag)).toEqual(["Inserted", "Inserted", "Refused", "Inserted"])
              expectRefusal(outcomes[2], "unique", "id")

              const again = yield* database.insertBatch(notesModel, [[4, "four", 4], [2, "taken", 1]])
              expect(again[0]).toEqual(inserted)
              expectRefusal(again[1], "unique", "id")

              expect(yield* database.select(notesModel, {})).toEqual([note(1, "one", 1), note(2, "two", 2), note(3, "three", 3), note(4, "four", 4)])
              expect(yield* database.count(notesModel.table)).toBe(4)
            })
          )
        })
      )

      it.live.skipIf(!backend.runsMigrationSql)(
        "refuses what the migrations' NOT NULL and CHECK forbid, classified, and a refused row leaves no trace",
        () =>
          Effect.gen(function* () {
            const place = yield* backend.newPlace
            yield* withDatabase(place, "write", (database) =>
              Effect.gen(function* () {
                yield* database.migrate(notesModel.model, notesModel.migrations)
                const outcomes = yield* database.insertBatch(notesModel, [[10, "ten", 1], [11, null, 1], [12, "twelve", 9], [13, "thirteen", 5]])
                expect(outcomes.map((outcome) => outcome._tag)).toEqual(["Inserted", "Refused", "Refused", "Inserted"])
                expectRefusal(outcomes[1], "not-null", "body")
                expectRefusal(outcomes[2], "check")

                // The refused keys are free: nothing of those rows stayed behind.
                expect(yield* database.select(notesModel, { key: 11 })).toEqual([])
                expect(yield* database.select(notesModel, { key: 12 })).toEqual([])
                expect(yield* database.insertBatch(notesModel, [[11, "eleven", 0], [12, "twelve", 5]])).toEqual([inserted, inserted])
                expect(yield* ids(database)).toEqual([10, 11, 12, 13])
              })
            )
          })
      )
    })

    describe("constraints the migrations declare", () => {
      it.live.skipIf(!backend.runsMigrationSql)(
        "a taken value of another unique key is refused as unique, naming its column when the key is one column",
        () =>
          Effect.gen(function* () {
            const place = yield* backend.newPlace
            yield* withDatabase(place, "write", (database) =>
              Effect.gen(function* () {
                yield* database.migrate(membersModel.model, membersModel.migrations)
                expect(yield* database.insertBatch(membersModel, [[1, "ann@example.com", 1, 1]])).toEqual([inserted])
                const outcomes = yield* database.insertBatch(membersModel, [
                  [2, "ann@example.com", 2, 2],
                  [3, "bob@example.com", 1, 1],
                  [4, "cy@example.com", 2, 1]
                ])
                expectRefusal(outcomes[0], "unique", "email")
                expectRefusal(outcomes[1], "unique", null)
                expect(outcomes[2]).toEqual(inserted)

                // skip keeps the stored row whichever key is taken; replace replaces by primary key only.
                expect(yield* database.insertBatch(membersModel, [[5, "ann@example.com", 3, 3]], "skip")).toEqual([skipped])
                expectRefusal((yield* database.insertBatch(membersModel, [[6, "ann@example.com", 3, 3]], "replace"))[0], "unique", "email")
                expect(yield* ids(database, membersModel)).toEqual([1, 4])
              })
            )
          })
      )

      it.live.skipIf(!backend.runsMigrationSql)("a row whose foreign key refers to no row is refused as foreign-key, and its neighbours land", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              yield* database.migrate(booksModel.model, booksModel.migrations)
              expect(yield* database.insertBatch(authorsTarget, [[1, "Ann"]])).toEqual([inserted])
              const outcomes = yield* database.insertBatch(booksModel, [[1, 1, "by Ann"], [2, 99, "by nobody"], [3, 1, "by Ann again"]])
              expect(outcomes[0]).toEqual(inserted)
              expectRefusal(outcomes[1], "foreign-key")
              expect(outcomes[2]).toEqual(inserted)
              expect(yield* ids(database, booksModel)).toEqual([1, 3])
            })
          )
        })
      )
    })

    describe("conflict modes", () => {
      it.live("fail (the default) refuses a taken key and keeps the stored row", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* notesWith(place, [[1, "one", 1]], (database) =>
            Effect.gen(function* () {
              expectRefusal((yield* database.insertBatch(notesModel, [[1, "again", 2]], "fail"))[0], "unique", "id")
              expectRefusal((yield* database.insertBatch(notesModel, [[1, "again", 2]]))[0], "unique", "id")
              expect(yield* database.select(notesModel, {})).toEqual([note(1, "one", 1)])
            })
          )
        })
      )

      it.live("skip keeps the stored row, whether it was stored before the batch or earlier in it", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* notesWith(place, [[1, "one", 1]], (database) =>
            Effect.gen(function* () {
              expect(yield* database.insertBatch(notesModel, [[1, "skipped", 3], [2, "two", 2], [2, "two again", 4]], "skip")).toEqual([
                skipped,
                inserted,
                skipped
              ])
              expect(yield* database.select(notesModel, {})).toEqual([note(1, "one", 1), note(2, "two", 2)])
            })
          )
        })
      )

      it.live("replace puts the row in place of the stored one, whether it was stored before the batch or earlier in it", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* notesWith(place, [[1, "one", 1], [2, "two", 2]], (database) =>
            Effect.gen(function* () {
              expect(yield* database.insertBatch(notesModel, [[2, "replaced", 4], [3, "three", 3], [3, "three again", 2]], "replace")).toEqual([
                replaced,
                inserted,
                replaced
              ])
              expect(yield* database.select(notesModel, {})).toEqual([note(1, "one", 1), note(2, "replaced", 4), note(3, "three again", 2)])
              expect(yield* database.count(notesModel.table)).toBe(3)
            })
          )
        })
      )

      it.live.skipIf(!backend.runsMigrationSql)("skip and replace still refuse what NOT NULL and CHECK forbid, a replacement included", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* notesWith(place, [[1, "one", 1]], (database) =>
            Effect.gen(function* () {
              for (const mode of ["skip", "replace"] as const) {
                const outcomes = yield* database.insertBatch(notesModel, [[4, null, 1], [5, "five", 9]], mode)
                expectRefusal(outcomes[0], "not-null", "body")
                expectRefusal(outcomes[1], "check")
              }
              expectRefusal((yield* database.insertBatch(notesModel, [[1, "too many", 9]], "replace"))[0], "check")
              expect(yield* database.select(notesModel, {})).toEqual([note(1, "one", 1)])
            })
          )
        })
      )
    })

    describe("a table created from its definition (createTable)", () => {
      it.live("refuses a null in a NOT NULL column as not-null naming it, takes one in a nullable column, and keeps the key unique", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              expect(yield* database.migrate(ratingsModel.model, ratingsModel.migrations)).toEqual(ratingsModel.migrations)
              expect(yield* database.count(ratingsModel.table)).toBe(0)
              const outcomes = yield* database.insertBatch(ratingsModel, [
                [1, "one", 5, 4.5, null],
                [2, null, 4, 1.5, "no title"],
                [3, "three", null, 2.5, null],
                [4, "four", 3, null, null],
                [1, "again", 1, 1, null],
                [5, "five", 2, 0.25, "noted"]
              ])
              expect(outcomes[0]).toEqual(inserted)
              expectRefusal(outcomes[1], "not-null", "title")
              expectRefusal(outcomes[2], "not-null", "stars")
              expectRefusal(outcomes[3], "not-null", "score")
              expectRefusal(outcomes[4], "unique", "id")
              expect(outcomes[5]).toEqual(inserted)
              expect(yield* database.select(ratingsModel, {})).toEqual([
                { id: 1, title: "one", stars: 5, score: 4.5, note: null },
                { id: 5, title: "five", stars: 2, score: 0.25, note: "noted" }
              ])
              expect(withoutTimes(yield* database.appliedMigrations)).toEqual([{ model: "Ratings", version: 1, description: "create ratings" }])
            })
          )
        })
      )

      it.live("gives back exactly the integers, doubles and text it stored, after a reopening", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          const rows = SAMPLE_INTEGERS.map((stars, index): Row => [
            index + 1,
            PLAIN_TEXTS[index % PLAIN_TEXTS.length] ?? "",
            stars,
            SAMPLE_FLOATS[index % SAMPLE_FLOATS.length] ?? 0,
            index % 2 === 0 ? null : `note ${index}`
          ])
          yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              yield* database.migrate(ratingsModel.model, ratingsModel.migrations)
              expect(yield* database.insertBatch(ratingsModel, rows)).toEqual(rows.map(() => inserted))
              yield* database.persist
            })
          )
          expect(yield* withDatabase(place, "read", (database) => database.select(ratingsModel, {}))).toEqual(rows.map((row) => rowObject(ratingsModel, row)))
        })
      )

      it.live("quotes what needs quoting: a table and columns named by SQL keywords, with a space or a quote; a text key", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              yield* database.migrate(awkwardModel.model, awkwardModel.migrations)
              const outcomes = yield* database.insertBatch(awkwardModel, [
                ["b", null, null, 1.5],
                ["a", 2, "hi", 2.5],
                ["b", 3, null, 3.5],
                ["c", 4, null, null]
              ])
              expect(outcomes.slice(0, 2)).toEqual([inserted, inserted])
              expectRefusal(outcomes[2], "unique", "select")
              expectRefusal(outcomes[3], "not-null", "group")
              const b = { select: "b", "two words": null, 'say "hi"': null, group: 1.5 }
              expect(yield* database.select(awkwardModel, {})).toEqual([{ select: "a", "two words": 2, 'say "hi"': "hi", group: 2.5 }, b])
              expect(yield* database.select(awkwardModel, { key: "b" })).toEqual([b])
            })
          )
        })
      )
    })

    describe("the migrations ledger", () => {
      it.live("migrate applies only the pending migrations and returns them; the ledger lists them, across a reopening", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          const [createNotes] = notesModel.migrations
          const ledger = yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              expect(yield* database.appliedMigrations).toEqual([])
              expect(yield* database.migrate(notesModel.model, notesModel.migrations)).toEqual([createNotes])
              expect(yield* database.migrate(notesModel.model, [...notesModel.migrations, indexStars])).toEqual([indexStars])
              expect(yield* database.migrate(notesModel.model, [...notesModel.migrations, indexStars])).toEqual([])
              yield* database.persist
              return yield* database.appliedMigrations
            })
          )
          expect(withoutTimes(ledger)).toEqual([
            { model: "Notes", version: 1, description: "create notes" },
            { model: "Notes", version: 2, description: "index stars" }
          ])
          for (const entry of ledger) expect(Number.isNaN(Date.parse(entry.appliedAt)), entry.appliedAt).toBe(false)

          const reopened = yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              return { applied: yield* database.migrate(notesModel.model, [...notesModel.migrations, indexStars]), ledger: yield* database.appliedMigrations }
            })
          )
          expect(reopened.applied).toEqual([])
          expect(byVersion(reopened.ledger)).toEqual(byVersion(ledger))
        })
      )

      it.live("each model has its own versions in a shared database", () =>
        Effect.gen(function* () {
          const place = yield* backend.newPlace
          yield* withDatabase(place, "write", (database) =>
            Effect.gen(function* () {
              yield* database.migrate(notesModel.model, notesModel.migrations)
              expect(yield* database.migrate(tagsModel.model, tagsModel.migrations)).toEqual(tagsModel.migrations)
              expect(yield* database.migrate(tagsModel.model, tagsModel.migrations)).toEqual([])
              expect(withoutTimes(yield* database.appliedMigrations)).toEqual([
                { model: "Notes", version: 1, description: "create notes" },
                { model: "Tags", version: 1, description: "create tags" }
              ])
            })
          )
        })
      )

      it.live.skipIf(!backend.runsMigrationSql)(
        "a failing migration is a StorageError of the database, keeping what failed underneath, and the migrations before it stay applied",
        () =>
          Effect.gen(function* () {
            const place = yield* backend.newPlace
            const broken: Migration = { version: 3, description: "broken", sql: "THIS IS NOT SQL" }
            yield* withDatabase(place, "write", (database) =>
              Effect.gen(function* () {
                const error = yield* Effect.flip(database.migrate(notesModel.model, [...notesModel.migrations, indexStars, broken]))
                expect(error).toMatchObject({ _tag: "StorageError", operation: "migrate", shard, location: database.location })
                expect(error.cause).toBeDefined()
                expect((yield* database.appliedMigrations).map((entry) => entry.version).sort()).toEqual([1, 2])
                expect(yield* database.insertBatch(notesModel, [[1, "one", 1]])).toEqual([inserted])
              })
            )
          })
      )
    })

    it.live("keeps what was inserted across a reopening as its durability says: snapshot once persisted, commit at once", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        const durability = yield* notesWith(place, [[1, "one", 1], [2, "two", 2]], (database) =>
          Effect.gen(function* () {
            yield* database.persist
            expect(yield* database.insertBatch(notesModel, [[3, "three", 3]])).toEqual([inserted])
            return database.durability
          })
        )
        expect(["commit", "snapshot"]).toContain(durability)

        const afterReopening = yield* withDatabase(place, "write", (database) => ids(database))
        if (durability === "snapshot") {
          // Row 3 was only in the copy that closed with the storage.
          expect(afterReopening).toEqual([1, 2])
        } else {
          expect(afterReopening).toEqual([1, 2, 3])
          // Nothing to write, and nothing written twice.
          yield* withDatabase(place, "write", (database) => Effect.andThen(database.persist, database.persist))
          expect(yield* withDatabase(place, "read", (database) => ids(database))).toEqual([1, 2, 3])
        }
      })
    )

    it.live("reset empties the tables and the ledger; a snapshot database's stored copy changes only at the next persist", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        /** What a reader opened now finds: the ledger's models and the notes, if their table is still there. */
        const storedNow = withDatabase(place, "read", (database) =>
          Effect.gen(function* () {
            const ledger = yield* database.appliedMigrations
            return { ledger: ledger.map((entry) => entry.model), notes: ledger.length === 0 ? null : yield* ids(database) }
          })
        )
        yield* notesWith(place, [[1, "one", 1], [2, "two", 2]], (database) =>
          Effect.gen(function* () {
            yield* database.persist
            yield* database.reset
            expect(yield* database.appliedMigrations).toEqual([])
            expect(yield* storedNow).toEqual(
              database.durability === "snapshot" ? { ledger: ["Notes"], notes: [1, 2] } : { ledger: [], notes: null }
            )

            expect(yield* database.migrate(notesModel.model, notesModel.migrations)).toEqual(notesModel.migrations)
            expect(yield* database.count(notesModel.table)).toBe(0)
            expect(yield* database.insertBatch(notesModel, [[1, "new one", 5]])).toEqual([inserted])
            yield* database.persist
          })
        )
        expect(yield* storedNow).toEqual({ ledger: ["Notes"], notes: [1] })
      })
    )

    it.live("two models in one database, their batches run concurrently: every row lands in its own table, each refusal in its own batch", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        const batches = 8
        const perBatch = 25
        const notesBatches = Array.from({ length: batches }, (_, batch) =>
          Array.from({ length: perBatch }, (_, index): Row => [batch * perBatch + index + 1, `note ${batch}.${index}`, index % 6])
        )
        const tagsBatches = Array.from({ length: batches }, (_, batch) =>
          Array.from({ length: perBatch }, (_, index): Row => [`t${String(batch * perBatch + index).padStart(4, "0")}`, `color ${batch}.${index}`])
        )
        // Each batch ends with its own first key again, refused within that batch only.
        const withRepeat = (rows: ReadonlyArray<Row>): ReadonlyArray<Row> => [...rows, rows[0] ?? []]

        yield* withDatabase(place, "write", (database) =>
          Effect.gen(function* () {
            const migrated = yield* Effect.all([database.migrate(notesModel.model, notesModel.migrations), database.migrate(tagsModel.model, tagsModel.migrations)], {
              concurrency: "unbounded"
            })
            expect(migrated).toEqual([notesModel.migrations, tagsModel.migrations])
            const outcomes = yield* Effect.all(
              [
                ...notesBatches.map((rows) => database.insertBatch(notesModel, withRepeat(rows))),
                ...tagsBatches.map((rows) => database.insertBatch(tagsModel, withRepeat(rows)))
              ],
              { concurrency: "unbounded" }
            )
            for (const [index, batch] of outcomes.entries()) {
              const primaryKey = index < batches ? notesModel.primaryKey : tagsModel.primaryKey
              expect(batch.slice(0, perBatch)).toEqual(Array.from({ length: perBatch }, () => inserted))
              expect(batch).toHaveLength(perBatch + 1)
              expectRefusal(batch[perBatch], "unique", primaryKey)
            }
            yield* database.persist
          })
        )
        yield* withDatabase(place, "read", (database) =>
          Effect.gen(function* () {
            expect(yield* database.count(notesModel.table)).toBe(batches * perBatch)
            expect(yield* database.count(tagsModel.table)).toBe(batches * perBatch)
            expect(yield* database.select(notesModel, {})).toEqual(notesBatches.flat().map((row) => rowObject(notesModel, row)))
            expect(yield* database.select(tagsModel, {})).toEqual(tagsBatches.flat().map((row) => rowObject(tagsModel, row)))
          })
        )
      })
    )

    it.live("gives back exactly what it stored after a reopening: text, integers, floats and nulls, in primary-key order", () =>
      Effect.gen(function* () {
        const place = yield* backend.newPlace
        const rows = yield* withDatabase(place, "write", (database) =>
          Effect.gen(function* () {
            // Text the backend's rules would refuse at validation never reaches it.
            const storable = SAMPLE_TEXTS.filter((text) => database.textRules.every((rule) => !rule.breaks(text)))
            expect(storable).toEqual(expect.arrayContaining(PLAIN_TEXTS))
            const rows = sampleRows(storable)
            yield* database.migrate(samplesModel.model, samplesModel.migrations)
            // Inserted out of order: `select` orders by primary key.
            expect(yield* database.insertBatch(samplesModel, [...rows].reverse())).toEqual(rows.map(() => inserted))
            yield* database.persist
            return rows
          })
        )
        const expected = [...rows].sort((left, right) => Number(left[0]) - Number(right[0])).map((row) => rowObject(samplesModel, row))
        const [first, second] = expected
        const somewhere = expected[Math.floor(expected.length / 2)]

        yield* withDatabase(place, "read", (database) =>
          Effect.gen(function* () {
            expect(yield* database.select(samplesModel, {})).toEqual(expected)
            expect(yield* database.count(samplesModel.table)).toBe(expected.length)
            expect(yield* database.select(samplesModel, { limit: 2 })).toEqual([first, second])
            expect(yield* database.select(samplesModel, { key: somewhere?.["id"] ?? null })).toEqual([somewhere])
            expect(yield* database.select(samplesModel, { key: 424242 })).toEqual([])
          })
        )
      })
    )
  })
}

const inserted: RowOutcome = { _tag: "Inserted" }
const skipped: RowOutcome = { _tag: "Skipped" }
const replaced: RowOutcome = { _tag: "Replaced" }

/**
 * Asserts that `outcome` is a refusal of `kind`, on `column` when one is given (null: on no
 * single column). The message is
 * the engine's own, whatever its words; the constraint's name is the engine's to give or not.
 */
const expectRefusal = (outcome: RowOutcome | undefined, kind: Refusal["kind"], column?: string | null): void => {
  expect(outcome?._tag).toBe("Refused")
  if (outcome?._tag !== "Refused") return
  expect(outcome.refusal.kind, outcome.refusal.message).toBe(kind)
  if (column !== undefined) expect(outcome.refusal.column, outcome.refusal.message).toBe(column)
  expect(outcome.refusal.message).not.toBe("")
}

const withoutTimes = (ledger: ReadonlyArray<{ readonly model: string; readonly version: number; readonly description: string }>) =>
  byVersion(ledger).map(({ model, version, description }) => ({ model, version, description }))

/** The ledger in model and version order: the interface does not say in which order it lists it. */
const byVersion = <A extends { readonly model: string; readonly version: number }>(ledger: ReadonlyArray<A>): ReadonlyArray<A> =>
  [...ledger].sort((left, right) => (left.model === right.model ? left.version - right.version : left.model < right.model ? -1 : 1))

const rowObject = (target: TableTarget, row: Row): Readonly<Record<string, SqlValue>> =>
  Object.fromEntries(target.columns.map((column, index) => [column, row[index] ?? null]))

/** Text any engine keeps. */
const PLAIN_TEXTS = ["plain", "", "ünïcödé, ñ, 日本語, Ελληνικά", "emoji 😀👍🏽 and a flag 🇫🇷", "quotes ' \" ` and a backslash \\", "new\nline\ttab\r"]

/** Text some engines cannot give back, which their text rules refuse: NUL, a leading byte order mark, a lone surrogate. */
const SAMPLE_TEXTS = [...PLAIN_TEXTS, "NUL \u0000 inside", "\u0000", "\uFEFF leading byte order mark", "lone \uD800 surrogate", "long ".repeat(5_000)]

const SAMPLE_INTEGERS = [0, 1, -1, 42, 2_147_483_647, 2_147_483_648, -2_147_483_649, 1_234_567_890_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]

const SAMPLE_FLOATS = [0.5, -2.25, Math.PI, 0.1 + 0.2, 1e-300, -1.7976931348623157e308, 123456.789]

/** One row per sample text, integer and float (cycling through the shorter lists), keys negative too, and a row of nulls. */
const sampleRows = (texts: ReadonlyArray<string>): ReadonlyArray<Row> => {
  const count = Math.max(texts.length, SAMPLE_INTEGERS.length, SAMPLE_FLOATS.length)
  const rows = Array.from({ length: count }, (_, index): Row => [
    index * 7 - 20,
    texts[index % texts.length] ?? null,
    SAMPLE_INTEGERS[index % SAMPLE_INTEGERS.length] ?? null,
    SAMPLE_FLOATS[index % SAMPLE_FLOATS.length] ?? null
  ])
  return [...rows, [1000, null, null, null]]
}
