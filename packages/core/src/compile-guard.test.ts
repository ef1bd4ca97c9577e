import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
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

const schemas: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  "struct of keywords": Schema.Struct({ id: Schema.Number, name: Schema.String, active: Schema.Boolean }),
  "refinements and a rule": Schema.Struct({ id: Schema.Int, price: Schema.Finite, name: Schema.String }).pipe(
    Schema.filter((product) => (product.price > 0 ? true : { path: ["price"], message: "Price must be positive" }))
  ),
  "literals, unions and null": Schema.Struct({
    id: Schema.Int,
    role: Schema.Literal("admin", "user"),
    note: Schema.NullOr(Schema.String),
    score: Schema.Union(Schema.Int, Schema.String)
  }),
  "nested refinements": Schema.Struct({ id: Schema.Int.pipe(Schema.positive()), name: Schema.String.pipe(Schema.minLength(1)) })
}

describe("compileGuard", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`answers like Schema.is with excess properties as errors: ${name}`, () => {
      const guard = compileGuard(schema.ast)
      expect(guard).toBeDefined()
      const is = Schema.is(schema, { onExcessProperty: "error" })
      fc.assert(
        fc.property(record(fieldsOf(schema)), (input) => {
          expect(guard?.(input)).toBe(is(input))
        }),
        { numRuns: 2000 }
      )
    })
  }

  it("gives up (undefined) on shapes it does not compile, so the caller uses Schema.is", () => {
    expect(compileGuard(Schema.Struct({ id: Schema.Int, note: Schema.optional(Schema.String) }).ast)).toBeUndefined()
    expect(compileGuard(Schema.Struct({ id: Schema.NumberFromString }).ast)).toBeUndefined()
    expect(compileGuard(Schema.Record({ key: Schema.String, value: Schema.Number }).ast)).toBeUndefined()
  })
})

function fieldsOf(schema: Schema.Schema.AnyNoContext): ReadonlyArray<string> {
  const ast = schema.ast._tag === "Refinement" ? schema.ast.from : schema.ast
  return ast._tag === "TypeLiteral" ? ast.propertySignatures.map((signature) => String(signature.name)) : []
}
