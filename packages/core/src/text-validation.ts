import { ParseResult, Schema, SchemaAST } from "effect"
import { inexactNumber } from "./input/exact-number.ts"
import type { SqlValue } from "./sql-value.ts"
import { makeValidator, type Validator } from "./validation.ts"

/**
 * Compiles a record schema into a validator for records whose values all arrive as text (CSV
 * rows): every numeric field is first decoded from its text by {@link DecimalFromText}, then
 * checked exactly as `makeValidator` checks it, rules included, so `"1000.00"` is 1000, and
 * `"abc"`, `""` or `"0x10"` for a number is an issue naming its field. Rule messages are the
 * same as the regular validator's.
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
  if (isNumeric(SchemaAST.encodedAST(ast))) return Schema.compose(DecimalFromText, Schema.make<unknown, number>(ast)).ast
  if (SchemaAST.isUnion(ast)) return SchemaAST.Union.make(ast.types.map(fieldFromText), ast.annotations)
  return ast
}

/** Decimal text as JSON writes numbers (leading zeros aside): digits, an optional `-`, fraction and exponent. */
const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/**
 * A number written as decimal text, decoded to that number only if it reads back as written
 * (see `exact-number.ts`). `Number()`, which `Schema.NumberFromString` uses, also reads hex
 * (`0x10` is 16), binary and octal, trims spaces and a byte order mark, and takes `""` for 0:
 * each would store a value other than the text. Refused instead, quoting the text.
 */
export const DecimalFromText = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (text, _options, ast) => {
    if (!DECIMAL.test(text)) {
      return ParseResult.fail(new ParseResult.Type(ast, text, `${JSON.stringify(text)} is not a decimal number (write it like 42, -12.50 or 1e3)`))
    }
    const problem = inexactNumber(text, undefined)
    return problem === undefined ? ParseResult.succeed(Number(text)) : ParseResult.fail(new ParseResult.Type(ast, text, problem.reason))
  },
  encode: (number) => ParseResult.succeed(String(number))
})

const isNumeric = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isNumberKeyword(ast) ||
  (SchemaAST.isLiteral(ast) && typeof ast.literal === "number") ||
  (SchemaAST.isUnion(ast) && ast.types.every(isNumeric))
