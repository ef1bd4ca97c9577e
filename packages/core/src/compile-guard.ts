import { Option, type SchemaAST } from "effect"

export type Guard = (input: unknown) => boolean

const options: SchemaAST.ParseOptions = { onExcessProperty: "error" }

/**
 * A type guard compiled from a schema's AST, for the shapes records have: structs of
 * keywords, literals, unions and refinements (`Schema.Int`, the rules' filter). It gives
 * `Schema.is`'s answer, excess properties being an error, without its interpreter, which is
 * most of the cost of validating a valid record. Returns undefined for any other shape; the
 * caller then uses `Schema.is`.
 */
export const compileGuard = (ast: SchemaAST.AST): Guard | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => typeof input === "string"
    case "NumberKeyword":
      return (input) => typeof input === "number"
    case "BooleanKeyword":
      return (input) => typeof input === "boolean"
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal
    }
    case "Refinement": {
      const from = compileGuard(ast.from)
      if (from === undefined) return undefined
      return (input) => from(input) && Option.isNone(ast.filter(input, options, ast))
    }
    case "Union": {
      const members = ast.types.map(compileGuard)
      if (!members.every((member): member is Guard => member !== undefined)) return undefined
      return (input) => members.some((member) => member(input))
    }
    case "TypeLiteral":
      return compileStruct(ast)
    default:
      return undefined
  }
}

const compileStruct = (ast: SchemaAST.TypeLiteral): Guard | undefined => {
  if (ast.indexSignatures.length > 0) return undefined
  const fields: Array<readonly [string, Guard]> = []
  for (const signature of ast.propertySignatures) {
    const guard = compileGuard(signature.type)
    if (signature.isOptional || typeof signature.name !== "string" || guard === undefined) return undefined
    fields.push([signature.name, guard])
  }
  const size = fields.length
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return false
    // As many own keys as fields, and every field present: no excess property.
    if (Object.keys(input).length !== size) return false
    for (const [name, guard] of fields) {
      if (!Object.hasOwn(input, name) || !guard(Reflect.get(input, name))) return false
    }
    return true
  }
}
