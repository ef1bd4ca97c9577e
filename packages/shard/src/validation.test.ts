import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { defineShard } from "./shard.ts"

/** Fields in the order id, label, weight; rules declared weight first, so order of rules and of fields differ. */
const parcels = defineShard({
  name: "parcels",
  model: "Parcel",
  table: "parcels",
  record: Schema.Struct({ id: Schema.Int, label: Schema.String, weight: Schema.Finite }),
  primaryKey: "id",
  rules: (rule) => [
    rule({ name: "weight-positive", message: "Weight must be positive", fields: ["weight"], holds: (weight) => weight > 0 }),
    rule({ name: "label-required", message: "Label cannot be empty", fields: ["label"], holds: (label) => label.length > 0 })
  ],
  migrations: [{ version: 1, description: "create parcels", sql: "CREATE TABLE parcels (id INTEGER PRIMARY KEY, label TEXT, weight REAL)" }],
  sample: []
})

const issuesOf = (input: unknown) => Result.getOrThrowWith(Result.flip(parcels.validate(input)), () => new Error("the record was accepted"))

describe("validation", () => {
  it("a valid record becomes its row, in column order", () => {
    expect(parcels.validate({ weight: 2.5, label: "box", id: 7 })).toEqual(Result.succeed([7, "box", 2.5]))
  })

  it("collects every broken rule of a record, in rule declaration order", () => {
    expect(issuesOf({ id: 1, label: "", weight: -3 })).toEqual([
      { kind: "validation", field: "weight", rule: "weight-positive", message: "Weight must be positive" },
      { kind: "validation", field: "label", rule: "label-required", message: "Label cannot be empty" }
    ])
    expect(issuesOf({ id: 1, label: "", weight: 3 }).map((issue) => issue.message)).toEqual(["Label cannot be empty"])
  })

  it("reports every type error, each naming its field", () => {
    const issues = issuesOf({ id: "7", label: 3, weight: 1 })
    expect(issues.map(({ field, rule }) => ({ field, rule }))).toEqual([
      { field: "id", rule: "type" },
      { field: "label", rule: "type" }
    ])
    expect(issues[0]?.message).toMatch(/^id: Expected number/)
    expect(issues[1]?.message).toMatch(/^label: Expected string/)
    expect(issuesOf({ id: 1.5, label: "box", weight: 1 })[0]?.message).toMatch(/^id: Expected an integer/)
  })

  it("checks rules only once every field has its type", () => {
    expect(issuesOf({ id: "7", label: "", weight: -1 }).map((issue) => issue.rule)).toEqual(["type"])
  })

  it("names each missing field", () => {
    expect(issuesOf({ id: 1 })).toEqual([
      { kind: "validation", field: "label", rule: "required", message: "label: is required" },
      { kind: "validation", field: "weight", rule: "required", message: "weight: is required" }
    ])
  })

  it("names each unknown field", () => {
    expect(issuesOf({ id: 1, label: "box", weight: 1, colour: "red" })).toEqual([
      { kind: "validation", field: "colour", rule: "unknown-field", message: "colour: is not a field of this model" }
    ])
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses %s for a Schema.Finite field", (weight) => {
    const issues = issuesOf({ id: 1, label: "box", weight })
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({ field: "weight", rule: "type" })
    expect(issues[0]?.message).toMatch(/^weight: Expected a finite number/)
  })

  it.each([
    [null, "null"],
    [[{ id: 1 }], "an array"],
    [42, "number"],
    ["{}", "string"],
    [undefined, "undefined"]
  ])("refuses a non-object input %j with one issue saying what it got", (input, got) => {
    expect(issuesOf(input)).toEqual([
      { kind: "validation", field: null, rule: "type", message: `a record must be an object, got ${got}` }
    ])
  })
})
