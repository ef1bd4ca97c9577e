import { Effect, Number as Num, Option, Schema, SchemaAST, SchemaGetter, SchemaIssue, SchemaTransformation } from "effect"
import type { SqlValue } from "./sql-value.ts"
import { makeValidator, type Validator } from "./validation.ts"

/**
 * Compiles a record schema into a validator for records whose values all arrive as text (CSV
 * rows): every numeric field is first decoded from its text (see `numberFromText`), then
 * checked exactly as `makeValidator` checks it, rules included, so `"1000.00"` is 1000, and
 * `"abc"` or `""` for a number is an issue naming its field. Rule messages are the same as
 * the regular validator's.
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
    const converted = Schema.String.pipe(Schema.decodeTo(Schema.make<Schema.Codec<number>>(ast), numberFromText))
    return SchemaAST.isOptional(ast) ? Schema.optionalKey(converted).ast : converted.ast
  }
  if (SchemaAST.isUnion(ast) && ast.encoding === undefined) {
    return new SchemaAST.Union(ast.types.map(fieldFromText), ast.options, ast.annotations, ast.checks, undefined, ast.context)
  }
  return ast
}

const isNumeric = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isNumber(ast) || (SchemaAST.isLiteral(ast) && typeof ast.literal === "number") || (SchemaAST.isUnion(ast) && ast.types.every(isNumeric))

/**
 * Text to number as `Number.parse` reads it: JavaScript's `Number()` (so `" 1e3 "` is 1000,
 * `"0x10"` is 16), plus `NaN` and `±Infinity` spelled out, and blank text refused rather than
 * read as 0. A refusal says what the text was: `Unable to decode "abc" into a number`.
 */
const numberFromText = new SchemaTransformation.Transformation<number, string>(
  SchemaGetter.transformOptionalEffect((text: Option.Option<string>, options) =>
    Option.match(text, {
      onNone: () => Effect.succeed(Option.none()),
      onSome: (value) =>
        Option.match(Num.parse(value), {
          onNone: () => Effect.fail(new SchemaIssue.InvalidValue({ message: `Unable to decode ${JSON.stringify(value)} into a number` }, value, options)),
          onSome: (number) => Effect.succeed(Option.some(number))
        })
    })
  ),
  SchemaGetter.String()
)
