import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { acceptedProblems, shardConformance, unexplainedIssues } from "./conformance.ts"
import { fieldKindsOf } from "./field-kinds.ts"
import type { RecordIssue } from "./record-issue.ts"
import { defineShard } from "./shard.ts"
import { tagShard } from "./tag-shard.ts"

/**
 * A shard unlike the seed's: a nullable field, a literal, and a code given as text and stored
 * as a number (a transformation), so an accepted record's row is not its values as given.
 */
const parcels = defineShard({
  name: "parcels",
  model: "Parcel",
  table: "parcels",
  record: Schema.Struct({ id: Schema.Int, note: Schema.NullOr(Schema.String), code: Schema.NumberFromString, tier: Schema.Literals([1, 2, 3]) }),
  primaryKey: "id",
  rules: (rule) => [
    rule({ name: "code-small", message: "Code must be below 100", fields: ["code"], holds: (code) => code < 100 }),
    rule({ name: "note-not-blank", message: "Note cannot be blank", fields: ["note"], holds: (note) => note === null || note.length > 0 })
  ],
  migrations: [],
  sample: [
    { id: 1, note: null, code: "7", tier: 1 },
    { id: 2, note: "", code: "500", tier: 2 }
  ],
  generators: {
    valid: (id, random) => ({ id, note: random.pick([null, `parcel ${id}`]), code: String(random.int(0, 99)), tier: random.pick([1, 2, 3] as const) }),
    invalid: {
      "code-small": (id, random) => ({ id, note: null, code: String(random.int(100, 999)), tier: 1 as const }),
      "note-not-blank": (id) => ({ id, note: "", code: "1", tier: 2 as const })
    }
  }
})

// The check itself, run on shards of other shapes than the seed's: it must pass them.
shardConformance(tagShard(), { sampleOutcomes: [] })
shardConformance(parcels, {
  sampleOutcomes: [null, ["Code must be below 100", "Note cannot be blank"]],
  examples: [{ record: { id: 3, note: null, code: "7", tier: 4 }, errors: ["tier: Expected 1, actual 4", "tier: Expected 2, actual 4", "tier: Expected 3, actual 4"] }]
})

describe("fieldKindsOf", () => {
  it("reads each field's kind from the schema's encoded side, in column order", () => {
    const shard = defineShard({
      name: "kinds",
      model: "Kinds",
      table: "kinds",
      record: Schema.Struct({
        id: Schema.Int,
        weight: Schema.Finite,
        ratio: Schema.Number,
        label: Schema.String,
        size: Schema.Int.check(Schema.isGreaterThan(0)),
        code: Schema.NumberFromString,
        note: Schema.NullOr(Schema.String),
        tier: Schema.Literals([1, 2])
      }),
      primaryKey: "id",
      rules: () => [],
      migrations: [],
      sample: []
    })
    expect(Object.entries(fieldKindsOf(shard))).toEqual([
      ["id", "int"],
      ["weight", "finite"],
      ["ratio", "number"],
      ["label", "text"],
      ["size", "int"],
      ["code", "text"],
      ["note", "other"],
      ["tier", "other"]
    ])
  })
})

describe("unexplainedIssues", () => {
  const shard = tagShard()
  const issue = (field: string | null, rule: string | null, message = "why"): RecordIssue => ({ kind: "validation", field, rule, message })

  it("finds nothing wrong with issues that each name their rule and field", () => {
    const input = { id: 1, label: 2, colour: "red" }
    expect(
      unexplainedIssues(shard, input, [issue("colour", "unknown-field"), issue("label", "type"), issue("stars", "required"), issue("label", "label-required", "Label cannot be empty")])
    ).toEqual([])
    expect(unexplainedIssues(shard, "text", [issue(null, "type")])).toEqual([])
  })

  it("reports each issue that names no rule, a rule of no one, or not the field at fault", () => {
    const input = { id: 1, label: "", stars: 9 }
    expect(
      unexplainedIssues(shard, input, [
        issue(null, null),
        issue("label", "made-up"),
        issue(null, "label-required", "Label cannot be empty"),
        issue("label", "stars-range", "Label cannot be empty"),
        issue("stars", "stars-range", "Stars must be 1 to 5"),
        issue("id", "unknown-field"),
        issue("colour", "type"),
        issue("label", "more-issues")
      ])
    ).toEqual([
      '{"kind":"validation","field":null,"rule":null,"message":"why"} names neither a rule of the shard nor a check of the validator',
      '{"kind":"validation","field":"label","rule":"made-up","message":"why"} names neither a rule of the shard nor a check of the validator',
      '{"kind":"validation","field":null,"rule":"label-required","message":"Label cannot be empty"} names no field of the shard',
      '{"kind":"validation","field":"label","rule":"stars-range","message":"Label cannot be empty"} does not say the rule\'s message, "Stars must be 1 to 5"',
      '{"kind":"validation","field":"stars","rule":"stars-range","message":"Stars must be 1 to 5"} reports a rule already reported for this record',
      '{"kind":"validation","field":"id","rule":"unknown-field","message":"why"} names no key of the record that is not a field',
      '{"kind":"validation","field":"colour","rule":"type","message":"why"} names no field of the shard',
      '{"kind":"validation","field":"label","rule":"more-issues","message":"why"} names a field, though it is the whole record\'s'
    ])
  })

  it("wants one type issue naming no field for a value that is not a record", () => {
    expect(unexplainedIssues(shard, [1], [issue("id", "type")])).toEqual([
      'a value that is not a record gets [{"kind":"validation","field":"id","rule":"type","message":"why"}], not one type issue naming no field'
    ])
    expect(unexplainedIssues(shard, null, [])).toEqual([
      "the record is refused with no issue",
      "a value that is not a record gets [], not one type issue naming no field"
    ])
  })
})

describe("acceptedProblems", () => {
  const shard = tagShard()

  it("reports a field that is not a column, and a value not stored exactly as expected (-0 is not 0)", () => {
    expect(acceptedProblems(shard, { id: -0, label: "a", stars: 1, colour: "red" }, [0, "a", 1], [-0, "a", 1])).toEqual([
      'accepted the field "colour", which is not a column',
      "column id holds 0, not -0"
    ])
    expect(acceptedProblems(shard, { id: 1, label: "a", stars: 1 }, [1, "a"], undefined)).toEqual(["the row has 2 values for 3 columns"])
  })
})
