import { describe, expect, it } from "@effect/vitest"
import { Exit, Schema, SchemaAST, SchemaParser } from "effect"
import fc from "fast-check"
import { compileGuard } from "./compile-guard.ts"

const value = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53, -(2 ** 60)),
  fc.string(),
  fc.constantFrom("", "a", "admin", "user"),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 })
)

/** Objects that often have the right keys, sometimes too few or too many (`__proto__` among them). */
const record = (keys: ReadonlyArray<string>) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(keys.map((key) => [key, value])), { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom("extra", "__proto__", "constructor", keys[0] ?? "id"), value, { maxKeys: 2 }),
      fc.boolean()
    )
    .map(([base, extra, withExtra]) => (withExtra ? { ...base, ...JSON.parse(JSON.stringify(extra)) } : base))

const schemas: Readonly<Record<string, Schema.Decoder<unknown>>> = {
  "struct of keywords": Schema.Struct({ id: Schema.Number, name: Schema.String, active: Schema.Boolean }),
  "refinements and a rule": Schema.Struct({ id: Schema.Int, price: Schema.Finite, name: Schema.String }).check(
    Schema.makeFilter((product) => (product.price > 0 ? undefined : { path: ["price"], issue: "Price must be positive" }))
  ),
  "literals, unions and null": Schema.Struct({
    id: Schema.Int,
    role: Schema.Literals(["admin", "user"]),
    note: Schema.NullOr(Schema.String),
    score: Schema.Union([Schema.Int, Schema.String])
  }),
  "nested refinements": Schema.Struct({ id: Schema.Int.check(Schema.isGreaterThan(0)), name: Schema.String.check(Schema.isMinLength(1)) })
}

/**
 * `Schema.is`, excess properties being errors: `Schema.is` ignores them (Effect 4's default
 * parse options), so the answer is also that of decoding with `onExcessProperty: "error"`.
 */
const isStrictly = (schema: Schema.Decoder<unknown>) => {
  const is = Schema.is(schema)
  const decode = SchemaParser.decodeUnknownExit(schema)
  return (input: unknown): boolean => is(input) && Exit.isSuccess(decode(input, { onExcessProperty: "error" }))
}

describe("compileGuard", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`answers like Schema.is with excess properties as errors: ${name}`, () => {
      const guard = compileGuard(schema.ast)
      expect(guard).toBeDefined()
      const is = isStrictly(schema)
      fc.assert(
        fc.property(record(fieldsOf(schema)), (input) => {
          expect(guard?.(input)).toBe(is(input))
        }),
        { numRuns: 2000 }
      )
    })
  }

  it("gives up (undefined) on shapes it does not compile, so the caller decodes instead", () => {
    expect(compileGuard(Schema.Struct({ id: Schema.Int, note: Schema.optional(Schema.String) }).ast)).toBeUndefined()
    expect(compileGuard(Schema.Struct({ id: Schema.NumberFromString }).ast)).toBeUndefined()
    expect(compileGuard(Schema.Record(Schema.String, Schema.Number).ast)).toBeUndefined()
  })
})

function fieldsOf(schema: Schema.Decoder<unknown>): ReadonlyArray<string> {
  return SchemaAST.isObjects(schema.ast) ? schema.ast.propertySignatures.map((signature) => String(signature.name)) : []
}
