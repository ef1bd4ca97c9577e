import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { defineShard } from "./shard.ts"
import { columnDefinitionsOf, tableDefinitionOf } from "./table-definition.ts"

const columnsOf = (fields: Schema.Struct.Fields) => columnDefinitionsOf(Schema.Struct(fields))

describe("columnDefinitionsOf", () => {
  it("derives each field's column, in field order: its type, and NOT NULL unless Schema.NullOr", () => {
    expect(
      columnsOf({
        id: Schema.Int,
        name: Schema.String,
        price: Schema.Finite,
        stars: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5 })),
        note: Schema.NullOr(Schema.String),
        weight: Schema.NullOr(Schema.Finite)
      })
    ).toEqual(
      Result.succeed([
        { name: "id", type: "integer", notNull: true },
        { name: "name", type: "text", notNull: true },
        { name: "price", type: "real", notNull: true },
        { name: "stars", type: "integer", notNull: true },
        { name: "note", type: "text", notNull: false },
        { name: "weight", type: "real", notNull: false }
      ])
    )
  })

  it("gives literals their values' type", () => {
    // What a TypeScript `enum` compiles to (this package allows only erasable syntax).
    const Size = { Small: "s", Large: "l" } as const
    expect(
      columnsOf({
        status: Schema.Literals(["open", "closed"]),
        level: Schema.Literals([1, 2, 3]),
        ratio: Schema.Literals([1, 2.5]),
        size: Schema.Enum(Size),
        kind: Schema.NullOr(Schema.Literal("x"))
      })
    ).toEqual(
      Result.succeed([
        { name: "status", type: "text", notNull: true },
        { name: "level", type: "integer", notNull: true },
        { name: "ratio", type: "real", notNull: true },
        { name: "size", type: "text", notNull: true },
        { name: "kind", type: "text", notNull: false }
      ])
    )
  })

  it.each([
    ["a number that may be NaN", { amount: Schema.Number }, "field amount has no column type"],
    ["a boolean", { done: Schema.Boolean }, "field done has no column type"],
    ["a union of two types", { either: Schema.Union([Schema.String, Schema.Int]) }, "field either has no column type"],
    ["nothing but null", { nothing: Schema.Null }, "field nothing has no column type"],
    ["an optional key", { maybe: Schema.optionalKey(Schema.String) }, "field maybe is optional"]
  ])("says why it cannot derive %s", (_case, fields, reason) => {
    const derived = columnsOf(fields)
    expect(Result.isFailure(derived) ? derived.failure : derived.success).toContain(reason)
  })

  it("needs a key that is a NOT NULL column", () => {
    const columnDefinitions = columnsOf({ id: Schema.NullOr(Schema.Int), name: Schema.String })
    expect(tableDefinitionOf({ table: "t", primaryKey: "id", columnDefinitions })).toEqual(
      Result.fail("the primary key id takes null; a key needs a value in every row")
    )
  })
})

describe("defineShard without migrations", () => {
  const parcels = { name: "parcels", model: "Parcel", table: "parcels", rules: () => [], sample: [] }

  it("creates the table derived from the record as version 1", () => {
    const shard = defineShard({ ...parcels, record: Schema.Struct({ code: Schema.String, weight: Schema.NullOr(Schema.Finite) }), primaryKey: "code" })
    expect(shard.migrations).toEqual([
      {
        version: 1,
        description: "create parcels",
        createTable: {
          table: "parcels",
          columns: [
            { name: "code", type: "text", notNull: true },
            { name: "weight", type: "real", notNull: false }
          ],
          primaryKey: "code"
        }
      }
    ])
  })

  it("refuses, when loaded, a record whose table cannot be derived, saying to write its SQL", () => {
    // A boolean is no SqlValue: as a stored record would have it, typed through `unknown`.
    const record: Schema.Codec<{ readonly id: number }, unknown> = Schema.Struct({ id: Schema.Int, done: Schema.Boolean })
    expect(() => defineShard({ ...parcels, record, primaryKey: "id" })).toThrow(
      /^shard parcels: its table cannot be derived from `record`: field done has no column type .*; declare `migrations` with its SQL instead$/
    )
  })

  it("keeps hand-written migrations as they are, and still describes the record's columns", () => {
    const sql = "CREATE TABLE parcels (id INTEGER PRIMARY KEY, done INTEGER NOT NULL CHECK (done IN (0, 1)))"
    const shard = defineShard({
      ...parcels,
      record: Schema.Struct({ id: Schema.Int, done: Schema.Literals([0, 1]) }),
      primaryKey: "id",
      migrations: [{ version: 1, description: "create parcels", sql }]
    })
    expect(shard.migrations).toEqual([{ version: 1, description: "create parcels", sql }])
    expect(tableDefinitionOf(shard)).toEqual(
      Result.succeed({
        table: "parcels",
        columns: [
          { name: "id", type: "integer", notNull: true },
          { name: "done", type: "integer", notNull: true }
        ],
        primaryKey: "id"
      })
    )
  })
})
