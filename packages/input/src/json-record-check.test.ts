import { inexactNumber, MAX_NESTING_DEPTH, MAX_RECORD_VALUES } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { auditJsonText, checkJsonRecord } from "./json-record-check.ts"

/** A decimal text's exact value as `coefficient × 10^exponent`, coefficient without trailing zeros (0n for zero). */
const exactValue = (text: string): { readonly coefficient: bigint; readonly exponent: number } => {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (match === null) throw new Error(`not a decimal: ${text}`)
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match
  let coefficient = BigInt(`${sign}${whole}${fraction}`)
  let scale = Number(exponent) - fraction.length
  if (coefficient === 0n) return { coefficient, exponent: 0 }
  while (coefficient % 10n === 0n) {
    coefficient /= 10n
    scale += 1
  }
  return { coefficient, exponent: scale }
}

/** The oracle: a number reads back as written when the double it becomes prints as the same exact value. */
const readsBackAsWritten = (lexeme: string): boolean => {
  const value = Number(lexeme)
  if (!Number.isFinite(value)) return false
  // `String` prints `1e+21`; the exact-value parser wants JSON's `1e21`.
  const written = exactValue(lexeme)
  const readBack = exactValue(String(value).replace("e+", "e"))
  return written.coefficient === readBack.coefficient && written.exponent === readBack.exponent
}

/** JSON number texts: what JSON.stringify writes, long integers, and hand-made ones with many digits or far exponents. */
const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^(0|[1-9]\d{0,24})$/),
      fc.option(fc.stringMatching(/^\d{1,25}$/), { nil: undefined }),
      fc.option(fc.integer({ min: -420, max: 420 }), { nil: undefined })
    )
    .map(([negative, whole, fraction, exponent]) => `${negative ? "-" : ""}${whole}${fraction === undefined ? "" : `.${fraction}`}${exponent === undefined ? "" : `e${exponent}`}`)
)

describe("inexactNumber", () => {
  it("refuses exactly the numbers that would not read back as written", () => {
    fc.assert(
      fc.property(numberText, (lexeme) => {
        expect(inexactNumber(lexeme, "n") === undefined).toBe(readsBackAsWritten(lexeme))
      }),
      { numRuns: 2000 }
    )
  })

  it.each([
    ["9007199254740993", "it would read back as 9007199254740992"],
    ["100.0000000000000001", "it would read back as 100"],
    ["1e-400", "it would read back as 0"],
    ["1e400", "too large to be stored"],
    ["12345678901234567890", "it would read back as 12345678901234567000"]
  ])("refuses %s, quoting it", (lexeme, why) => {
    expect(inexactNumber(lexeme, "id")).toEqual({
      rule: "inexact-number",
      field: "id",
      reason: expect.stringMatching(new RegExp(`^the number ${lexeme} in field "id" .*${why}`))
    })
  })

  it.each(["9007199254740992", "1000.00", "1e2", "-0", "0.1", "1.7976931348623157e308", "123456789012345.000000000"])("accepts %s", (lexeme) => {
    expect(inexactNumber(lexeme, "id")).toBeUndefined()
  })
})

/** A flat object's JSON, each value written as given, with optional spaces around the separators. */
const objectText = (fields: ReadonlyArray<readonly [string, string]>, spaced: boolean): string => {
  const separator = spaced ? " : " : ":"
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}${separator}${value}`).join(spaced ? " , " : ",")}}`
}

const fieldValueText = fc.oneof(numberText, fc.string().map((text) => JSON.stringify(text)), fc.constantFrom("true", "null", '"12:30"', '"a:1e5"'))

describe("checkJsonRecord", () => {
  it("finds what the careful walk finds, with the cheap screen or without it", () => {
    const fields = fc.array(fc.tuple(fc.constantFrom("id", "name", "price", "a:b", "é"), fieldValueText), { maxLength: 6 })
    fc.assert(
      fc.property(fields, fc.boolean(), (pairs, spaced) => {
        const text = objectText(pairs, spaced)
        expect(checkJsonRecord(text, JSON.parse(text))).toEqual(auditJsonText(text))
      }),
      { numRuns: 2000 }
    )
  })

  it("clears every record that JSON.stringify writes, when it holds no number a double cannot print back", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(), fc.boolean())), (record) => {
        const text = JSON.stringify(record)
        expect(checkJsonRecord(text, JSON.parse(text))).toBeUndefined()
      })
    )
  })

  it("refuses a key given twice, at any depth, however it is escaped", () => {
    const duplicate = (text: string) => checkJsonRecord(text, JSON.parse(text))
    expect(duplicate('{"id":1,"name":"a","id":2}')).toEqual({ rule: "duplicate-key", field: "id", reason: expect.stringContaining('the key "id" appears twice') })
    expect(duplicate('{"id":1,"\\u0069d":2}')).toMatchObject({ rule: "duplicate-key", field: "id" })
    expect(duplicate('{"id":1,"tags":{"x":1,"x":2}}')).toMatchObject({ rule: "duplicate-key", field: "tags" })
    expect(duplicate('[{"x":1},{"x":2}]')).toBeUndefined()
    expect(duplicate('{"a":{"x":1},"b":{"x":2}}')).toBeUndefined()
  })

  it(`refuses nesting deeper than ${MAX_NESTING_DEPTH} levels, however deep, without recursion`, () => {
    const nested = (levels: number) => `{"id":1,"name":${"[".repeat(levels)}1${"]".repeat(levels)}}`
    const check = (text: string) => checkJsonRecord(text, JSON.parse(text))
    expect(check(nested(MAX_NESTING_DEPTH - 1))).toBeUndefined()
    expect(check(nested(MAX_NESTING_DEPTH))).toEqual({ rule: "too-deep", field: "name", reason: `the record nests deeper than ${MAX_NESTING_DEPTH} levels` })
    expect(check(nested(5_000))).toMatchObject({ rule: "too-deep" })
    expect(check(nested(1_000_000))).toMatchObject({ rule: "too-deep" })
  })

  it(`refuses a record of more than ${MAX_RECORD_VALUES.toLocaleString("en-US")} values, flat or nested`, () => {
    const wide = (keys: number) => JSON.stringify(Object.fromEntries(Array.from({ length: keys }, (_, index) => [`k${index}`, index])))
    const check = (text: string) => checkJsonRecord(text, JSON.parse(text))
    expect(check(wide(MAX_RECORD_VALUES - 1))).toBeUndefined()
    expect(check(wide(MAX_RECORD_VALUES))).toMatchObject({ rule: "too-large" })
    expect(check(wide(200_000))).toMatchObject({ rule: "too-large" })
    expect(check(`{"id":1,"tags":[${Array.from({ length: MAX_RECORD_VALUES }, () => 0).join(",")}]}`)).toMatchObject({ rule: "too-large" })
  })
})
