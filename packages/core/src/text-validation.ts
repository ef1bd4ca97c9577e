import { Schema, SchemaAST } from "effect"
import type { SqlValue } from "./sql-value.ts"
import { makeValidator, type Validator } from "./validation.ts"

/**
 * Compiles a record schema into a validator for records whose values all arrive as text (CSV
 * rows): every numeric field is first decoded from its text by `Schema.NumberFromString`, then
 * checked exactly as `makeValidator` checks it, rules included, so `"1000.00"` is 1000, and
 * `"abc"` or `""` for a number is an issue naming its field. Rule messages are the same as
 * the regular validator's.
 */
export const makeTextValidator = <A extends Readonly<Record<string, SqlValue>>, I>(
  schema: Schema.Schema<A, I>,
  columns: ReadonlyArray<string>,
  rules: ReadonlyArray<{ readonly name: string; readonly message: string }>
): Validator => makeValidator(Schema.make<A, unknown>(recordFromText(schema.ast)), columns, rules)

/**
 * The record schema with each numeric field decoded from text. Refinements (the shard's rules)
 * and transformations around the struct are kept; they apply to the decoded record, whose
 * type does not change.
 */
const recordFromText = (ast: SchemaAST.AST): SchemaAST.AST => {
  switch (ast._tag) {
    case "TypeLiteral":
      return new SchemaAST.TypeLiteral(
        ast.propertySignatures.map(
          (field) => new SchemaAST.PropertySignature(field.name, fieldFromText(field.type), field.isOptional, field.isReadonly, field.annotations)
        ),
        ast.indexSignatures,
        ast.annotations
      )
    case "Refinement":
      return new SchemaAST.Refinement(recordFromText(ast.from), ast.filter, ast.annotations)
    case "Transformation":
      return new SchemaAST.Transformation(recordFromText(ast.from), ast.to, ast.transformation, ast.annotations)
    default:
      return ast
  }
}

/**
 * A field whose encoded side is a number (`Schema.Number`, `Schema.Int`, `Schema.Finite`, a
 * numeric literal) becomes `NumberFromString` composed with it, so its own checks still run on
 * the number. In a union (`Schema.NullOr(Schema.Int)`) each numeric member is converted.
 * Anything else is already text, or cannot come from text, and is left as it is.
 */
const fieldFromText = (ast: SchemaAST.AST): SchemaAST.AST => {
  if (isNumeric(SchemaAST.encodedAST(ast))) return Schema.compose(Schema.NumberFromString, Schema.make<unknown, number>(ast)).ast
  if (SchemaAST.isUnion(ast)) return SchemaAST.Union.make(ast.types.map(fieldFromText), ast.annotations)
  return ast
}

const isNumeric = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isNumberKeyword(ast) ||
  (SchemaAST.isLiteral(ast) && typeof ast.literal === "number") ||
  (SchemaAST.isUnion(ast) && ast.types.every(isNumeric))
