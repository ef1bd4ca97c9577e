import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import fc from "fast-check"
import { defineShard } from "./shard.ts"
import { DecimalFromText } from "./text-validation.ts"

/** Integers, finite numbers, text, a nullable integer and a numeric literal; rules on a number and on text. */
const products = defineShard({
  name: "products",
  model: "Product",
  table: "products",
  record: Schema.Struct({
    id: Schema.Int,
    name: Schema.String,
    price: Schema.Finite,
    stock: Schema.NullOr(Schema.Int),
    tier: Schema.Literals([1, 2, 3])
  }),
  primaryKey: "id",
  rules: (rule) => [
    rule({ name: "price-positive", message: "Price must be positive", fields: ["price"], holds: (price) => price > 0 }),
    rule({ name: "name-required", message: "Name cannot be empty", fields: ["name"], holds: (name) => name.length > 0 })
  ],
  migrations: [],
  sample: []
})

const row = { id: "7", name: "Laptop", price: "1000.00", stock: "3", tier: "2" }

const issuesOf = (input: Record<string, string>) =>
  Result.getOrThrowWith(Result.flip(products.validateText(input)), () => new Error("the record was accepted"))

describe("validateText", () => {
  it("decodes numeric fields from their text by the schema, and leaves text fields as they are", () => {
    expect(products.validateText(row)).toEqual(Result.succeed([7, "Laptop", 1000, 3, 2]))
    expect(products.validateText({ ...row, name: "007", price: "1e3", id: "-0" })).toEqual(Result.succeed([-0, "007", 1000, 3, 2]))
    expect(products.validateText({ ...row, id: "007", price: "0.5E-1" })).toEqual(Result.succeed([7, "Laptop", 0.05, 3, 2]))
  })

  it.each([
    ["price", "abc", 'price: "abc" is not a decimal number'],
    ["price", "", 'price: "" is not a decimal number'],
    ["id", "", 'id: "" is not a decimal number'],
    ["id", "1.5", "id: Expected an integer, actual 1.5"],
    ["price", "Infinity", 'price: "Infinity" is not a decimal number'],
    ["price", "1e400", "price: the number 1e400 is too large to be stored"],
    ["tier", "4", "tier: Expected 1, actual 4"]
  ])("refuses %s = %j with a message naming the field", (field, text, message) => {
    const [first] = issuesOf({ ...row, [field]: text })
    expect(first).toMatchObject({ kind: "validation", field, rule: "type" })
    expect(first?.message.startsWith(message)).toBe(true)
  })

  it("checks the rules with the regular validator's messages, once every field has its type", () => {
    const broken = { ...row, name: "", price: "-50" }
    expect(issuesOf(broken)).toEqual([
      { kind: "validation", field: "price", rule: "price-positive", message: "Price must be positive" },
      { kind: "validation", field: "name", rule: "name-required", message: "Name cannot be empty" }
    ])
    expect(issuesOf(broken)).toEqual(
      Result.getOrThrow(Result.flip(products.validate({ id: 7, name: "", price: -50, stock: 3, tier: 2 })))
    )
    expect(issuesOf({ ...row, name: "", price: "x" }).map((issue) => issue.field)).toEqual(["price"])
  })

  it("names missing and unknown columns as the regular validator does", () => {
    const { stock: _stock, ...withoutStock } = row
    const issues = issuesOf({ ...withoutStock, colour: "red" })
    expect(issues).toEqual(Result.getOrThrow(Result.flip(products.validate({ id: 7, name: "Laptop", price: 1000, tier: 2, colour: "red" }))))
    expect(issues).toEqual(
      expect.arrayContaining([
        { kind: "validation", field: "stock", rule: "required", message: "stock: is required" },
        { kind: "validation", field: "colour", rule: "unknown-field", message: "colour: is not a field of this model" }
      ])
    )
  })

  it("does not change the regular validator, which still refuses numbers given as text", () => {
    expect(products.validate({ id: 7, name: "Laptop", price: 1000, stock: null, tier: 2 })).toEqual(Result.succeed([7, "Laptop", 1000, null, 2]))
    expect(Result.isFailure(products.validate(row))).toBe(true)
  })
})

describe("DecimalFromText", () => {
  const decode = Schema.decodeUnknownResult(DecimalFromText)

  it("reads back every finite double from the text JavaScript or JSON writes for it", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(decode(String(value))).toEqual(Result.succeed(value === 0 ? 0 : value))
        expect(decode(JSON.stringify(value))).toEqual(Result.succeed(value === 0 ? 0 : value))
      })
    )
  })

  it("refuses what Number() would read as another value, quoting the text", () => {
    const digits = fc.stringMatching(/^\d{1,6}$/)
    const notDecimal = fc.oneof(
      digits.map((text) => `0x${text}`),
      digits.map((text) => `0b${text}`),
      digits.map((text) => `0o${text}`),
      fc.tuple(fc.constantFrom(" ", "\t", "\n", "\uFEFF", "\u00A0"), digits, fc.boolean()).map(([pad, text, before]) => (before ? pad + text : text + pad)),
      digits.map((text) => `+${text}`),
      digits.map((text) => `.${text}`),
      digits.map((text) => `${text}.`),
      digits.map((text) => `1_${text}`),
      fc.constantFrom("", "Infinity", "-Infinity", "NaN", "1e", "--1", "1e+", "١٢")
    )
    fc.assert(
      fc.property(notDecimal, (text) => {
        const refused = Result.flip(decode(text))
        expect(Result.isSuccess(refused)).toBe(true)
        expect(Result.getOrThrow(refused).message).toContain(`${JSON.stringify(text)} is not a decimal number`)
      })
    )
  })

  it.each([
    ["9007199254740993", "it would read back as 9007199254740992"],
    ["100.0000000000000001", "it would read back as 100"],
    ["1e-400", "it would read back as 0"]
  ])("refuses %s, which a double cannot hold, quoting it", (text, why) => {
    expect(Result.getOrThrow(Result.flip(decode(text))).message).toContain(`the number ${text} cannot be stored exactly: ${why}`)
    expect(Result.getOrThrow(Result.flip(products.validateText({ ...row, id: text })))[0]).toMatchObject({ field: "id", rule: "type" })
  })
})
