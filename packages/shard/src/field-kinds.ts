import { type Schema, SchemaAST } from "effect"

/**
 * What a field holds, as far as hostile-input tests care: an integer (`Schema.Int`), a finite
 * number (`Schema.Finite`), any double (`Schema.Number`, NaN and ±Infinity included), text
 * (`Schema.String`), or something else (a literal, a union, bytes...), for which any value is
 * as good a guess as another.
 */
export type FieldKind = "int" | "finite" | "number" | "text" | "other"

/**
 * Each of a shard's fields and its kind, in column order, read from the shard's record schema
 * on its encoded side: what `validate` is given, before any transformation of the schema.
 * A number's kind comes from the constraint its checks declare for generating values
 * (`Schema.Int`'s is "integer", `Schema.Finite`'s is "finite"); other checks (a minimum, a
 * length) do not change it.
 */
export const fieldKindsOf = (shard: { readonly schema: Schema.Top }): Readonly<Record<string, FieldKind>> => {
  const encoded = SchemaAST.toEncoded(shard.schema.ast)
  if (!SchemaAST.isObjects(encoded)) return {}
  return Object.fromEntries(encoded.propertySignatures.map((field) => [String(field.name), kindOf(field.type)]))
}

const kindOf = (ast: SchemaAST.AST): FieldKind => {
  if (SchemaAST.isString(ast)) return "text"
  if (!SchemaAST.isNumber(ast)) return "other"
  return numberKindOf(ast)
}

/**
 * A number's kind, from the constraint its checks declare for generating values (`Schema.Int`'s
 * is "integer", `Schema.Finite`'s is "finite"); other checks (a minimum) do not change it.
 */
export const numberKindOf = (ast: SchemaAST.Number): "int" | "finite" | "number" => {
  const constraints = (ast.checks ?? []).flatMap(filtersOf).map((filter) => filter.annotations?.arbitraryConstraint?.number)
  if (constraints.includes("integer")) return "int"
  if (constraints.includes("finite")) return "finite"
  return "number"
}

/** A check is a filter or a group of them. */
const filtersOf = (check: SchemaAST.Check<unknown>): Array<SchemaAST.Filter<unknown>> =>
  check._tag === "Filter" ? [check] : check.checks.flatMap(filtersOf)

/**
 * What a field of this kind accepts, said independently of the Schema that implements it: the
 * oracle the property tests hold validation to. Engine-neutral: any string is text here (a
 * storage engine may refuse some, see `TextRule`). A field of kind `other` has no plain
 * statement of what it accepts; asking for one is a mistake in the test, so it throws.
 */
export const acceptsValue = (kind: FieldKind, value: unknown): boolean => {
  switch (kind) {
    case "int":
      return Number.isSafeInteger(value)
    case "finite":
      return typeof value === "number" && Number.isFinite(value)
    case "number":
      return typeof value === "number"
    case "text":
      return typeof value === "string"
    case "other":
      throw new Error("acceptsValue: a field of kind `other` has no plain statement of what it accepts; test it by examples")
  }
}

/** An object (not null, not an array) whose own keys are exactly `fields`, each value of its kind. */
export const hasFieldsOfKinds = (value: unknown, fields: Readonly<Record<string, FieldKind>>): value is Readonly<Record<string, number | string>> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const names = Object.keys(fields)
  return (
    Reflect.ownKeys(value).length === names.length &&
    Object.entries(fields).every(([name, kind]) => Object.hasOwn(value, name) && acceptsValue(kind, Reflect.get(value, name)))
  )
}
