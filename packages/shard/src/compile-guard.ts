import { SchemaAST } from "effect"

export type Guard = (input: unknown) => boolean

const options: SchemaAST.ParseOptions = { onExcessProperty: "error" }

/**
 * A type guard compiled from a schema's AST, for the shapes records have: structs (`Objects`)
 * of keywords, literals and unions, each node with its checks (`Schema.Int`'s `isInt`, the
 * rules' filter on the struct). It answers as decoding the schema's type side does, excess
 * properties being an error, without the interpreter, which is most of the cost of validating
 * a valid record. Returns undefined for any other shape (a transformation, an optional or
 * symbol key, an index signature, a declaration...); the caller then decodes every record.
 */
export const compileGuard = (ast: SchemaAST.AST): Guard | undefined => {
  // A node with an encoding decodes from something else: its type-side guard says nothing of the input.
  if (ast.encoding !== undefined) return undefined
  const base = compileNode(ast)
  if (base === undefined || ast.checks === undefined) return base
  const filters = ast.checks.flatMap(filtersOf)
  const count = filters.length
  return (input) => {
    if (!base(input)) return false
    for (let index = 0; index < count; index++) if ((filters[index] as SchemaAST.Filter<unknown>).run(input, ast, options) !== undefined) return false
    return true
  }
}

const compileNode = (ast: SchemaAST.AST): Guard | undefined => {
  switch (ast._tag) {
    case "String":
      return (input) => typeof input === "string"
    case "Number":
      return (input) => typeof input === "number"
    case "Boolean":
      return (input) => typeof input === "boolean"
    case "Null":
      return (input) => input === null
    case "Undefined":
      return (input) => input === undefined
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal
    }
    case "Union": {
      // `oneOf` wants exactly one member to match: not what `some` answers.
      if (ast.options?.mode === "oneOf") return undefined
      const members = ast.types.map(compileGuard)
      if (!members.every((member): member is Guard => member !== undefined)) return undefined
      return (input) => members.some((member) => member(input))
    }
    case "Objects":
      return compileStruct(ast)
    default:
      return undefined
  }
}

/** A check is a filter or a group of them; every one must pass. */
const filtersOf = (check: SchemaAST.Check<unknown>): Array<SchemaAST.Filter<unknown>> =>
  check._tag === "Filter" ? [check] : check.checks.flatMap(filtersOf)

const compileStruct = (ast: SchemaAST.Objects): Guard | undefined => {
  if (ast.indexSignatures.length > 0) return undefined
  const names: Array<string> = []
  const guards: Array<Guard> = []
  for (const signature of ast.propertySignatures) {
    if (typeof signature.name !== "string" || SchemaAST.isOptional(signature.type)) return undefined
    const guard = compileGuard(signature.type)
    if (guard === undefined) return undefined
    names.push(signature.name)
    guards.push(guard)
  }
  const size = names.length
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return false
    // As many enumerable own keys as fields, every field among them: no excess property.
    // Symbol keys are not looked at (`Reflect.ownKeys` costs 15 times `Object.keys`): no input
    // format can make them, and sample data has none.
    if (Object.keys(input).length !== size) return false
    for (let index = 0; index < size; index++) {
      const name = names[index] as string
      if (!Object.hasOwn(input, name) || !(guards[index] as Guard)(Reflect.get(input, name))) return false
    }
    return true
  }
}
