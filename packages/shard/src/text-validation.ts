import { Effect, Schema, SchemaAST, SchemaIssue, SchemaTransformation } from "effect"
import { inexactNumber } from "./exact-number.ts"
import type { SqlValue } from "./sql-value.ts"
import { makeValidator, type Validator } from "./validation.ts"

/**
 * Compiles a record schema into a validator for records whose values all arrive as text (CSV
 * rows): every numeric field is first decoded from its text by {@link DecimalFromText}, then
 * checked exactly as `makeValidator` checks it, rules included, so `"1000.00"` is 1000, and
 * `"abc"`, `""` or `"0x10"` for a number is an issue naming its field. Rule messages are the
 * same as the regular validator's.
 */
export const makeTextValidator = <A extends Readonly<Record<string, SqlValue>>>(
  schema: Schema.Decoder<A>,
  columns: ReadonlyArray<string>,
  rules: ReadonlyArray<{ readonly name: string; readonly message: string }>
): Validator => makeValidator(Schema.make<Schema.Decoder<A>>(recordFromText(schema.ast)), columns, rules)

/**
 * The record schema with each numeric field decoded from text. The struct's checks (the
 * shard's rules) are kept; they apply to the decoded record, whose type does not change. A
 * record schema that is itself a transformation (has an `encoding`) is left as it is.
 */
const recordFromText = (ast: SchemaAST.AST): SchemaAST.AST => {
  if (!SchemaAST.isObjects(ast) || ast.encoding !== undefined) return ast
  return new SchemaAST.Objects(
    ast.propertySignatures.map((field) => new SchemaAST.PropertySignature(field.name, fieldFromText(field.type))),
    ast.indexSignatures,
    ast.annotations,
    ast.checks,
    undefined,
    ast.context
  )
}

/**
 * A field whose encoded side is a number (`Schema.Number`, `Schema.Int`, `Schema.Finite`, a
 * numeric literal) becomes a string decoded to it, so its own checks still run on the number.
 * In a union (`Schema.NullOr(Schema.Int)`) each numeric member is converted. Anything else is
 * already text, or cannot come from text, and is left as it is. An optional field stays optional.
 */
const fieldFromText = (ast: SchemaAST.AST): SchemaAST.AST => {
  if (isNumeric(SchemaAST.toEncoded(ast))) {
    const converted = Schema.String.pipe(Schema.decodeTo(Schema.make<Schema.Codec<number>>(ast), decimalFromText))
    return SchemaAST.isOptional(ast) ? Schema.optionalKey(converted).ast : converted.ast
  }
  if (SchemaAST.isUnion(ast) && ast.encoding === undefined) {
    return new SchemaAST.Union(ast.types.map(fieldFromText), ast.options, ast.annotations, ast.checks, undefined, ast.context)
  }
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
const decimalFromText = SchemaTransformation.transformEffect<number, string>({
  decode: (text, options) => {
    if (!DECIMAL.test(text)) {
      return Effect.fail(
        new SchemaIssue.InvalidValue({ message: `${JSON.stringify(text)} is not a decimal number (write it like 42, -12.50 or 1e3)` }, text, options)
      )
    }
    const problem = inexactNumber(text, undefined)
    return problem === undefined ? Effect.succeed(Number(text)) : Effect.fail(new SchemaIssue.InvalidValue({ message: problem.reason }, text, options))
  },
  encode: (number) => Effect.succeed(String(number))
})

/** {@link decimalFromText} as a schema of its own: text to a number. */
export const DecimalFromText = Schema.String.pipe(Schema.decodeTo(Schema.Number, decimalFromText))

const isNumeric = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isNumber(ast) || (SchemaAST.isLiteral(ast) && typeof ast.literal === "number") || (SchemaAST.isUnion(ast) && ast.types.every(isNumeric))
