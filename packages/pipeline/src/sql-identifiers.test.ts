import { join } from "node:path"
import { memoryInput } from "@distributed-insert/input"
import { defineShard } from "@distributed-insert/shard"
import { users } from "@distributed-insert/shard-users"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { openedInput } from "./input-source.ts"
import { getRecord, listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import { queryFile, tempDir, testLayer } from "./testing.ts"

/**
 * Table and column names come from a shard's declaration, never from a record: a record only
 * supplies values, bound as parameters. These tests try to smuggle SQL in through both.
 */
describe("SQL built from declarations, values bound as parameters", () => {
  const tablesIn = (file: string) => queryFile(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")

  it.effect("a field named like SQL is an unknown field: nothing runs, nothing lands", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const smuggled = ['name"); DROP TABLE users; --', "id) VALUES (1); DROP TABLE users; --", "email, (SELECT sql FROM sqlite_master)"]
      const records = smuggled.map((key) => ({ id: 1, name: "n", email: "e", [key]: "x" }))
      const report = yield* populate({ inputs: () => openedInput(memoryInput(records, "test")) }).pipe(Effect.provide(testLayer([users], dir)))

      expect(report.shards[0]?.records?.map((record) => record.issues.map(({ field, rule }) => ({ field, rule })))).toEqual(
        smuggled.map((field) => [{ field, rule: "unknown-field" }])
      )
      const file = join(dir, "users.db")
      expect(yield* tablesIn(file)).toEqual([["_migrations"], ["users"]])
      expect(yield* queryFile(file, "SELECT count(*) FROM users")).toEqual([[0]])
    })
  )

  it.effect("a key given to `get` is a value, not SQL", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const layer = testLayer([users], dir)
      yield* populate({ inputs: () => openedInput(memoryInput([{ id: 1, name: "n", email: "e" }], "test")) }).pipe(Effect.provide(layer))

      for (const key of ["1 OR 1=1", "0) OR (1=1", "1; DROP TABLE users; --"]) {
        const error = yield* Effect.flip(getRecord(users.model, key).pipe(Effect.provide(layer)))
        expect(error).toMatchObject({ _tag: "RecordNotFoundError", id: key })
      }
      expect((yield* listRecords(users.model).pipe(Effect.provide(layer))).rows).toHaveLength(1)
    })
  )

  it.effect("declared names are quoted as identifiers, whatever characters they hold", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const table = 'odd "table"; DROP TABLE _migrations; --'
      const column = 'it\'s a "column" -- really'
      const odd = defineShard({
        name: "odd",
        model: "Odd",
        table,
        record: Schema.Struct({ id: Schema.Int, [column]: Schema.String }),
        primaryKey: "id",
        rules: () => [],
        migrations: [
          {
            version: 1,
            description: "create the odd table",
            sql: 'CREATE TABLE "odd ""table""; DROP TABLE _migrations; --" (id INTEGER PRIMARY KEY, "it\'s a ""column"" -- really" TEXT NOT NULL)'
          }
        ],
        sample: []
      })
      const records = [{ id: 1, [column]: "'); DROP TABLE odd; --" }]
      const layer = testLayer([odd], dir)
      const report = yield* populate({ inputs: () => openedInput(memoryInput(records, "test")) }).pipe(Effect.provide(layer))

      expect(report.shards[0]?.counts).toMatchObject({ inserted: 1, invalid: 0, failed: 0 })
      expect((yield* listRecords(odd.model).pipe(Effect.provide(testLayer([odd], dir)))).rows).toEqual(records)
      expect(yield* tablesIn(join(dir, "odd.db"))).toEqual([["_migrations"], [table]])
    })
  )
})
