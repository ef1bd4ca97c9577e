import { Either, ParseResult, Schema, type SchemaAST } from "effect"
import { compileGuard } from "./compile-guard.ts"
import { valueOutOfBounds } from "./input/record-limits.ts"
import type { RecordIssue } from "./record-issue.ts"
import type { SqlValue } from "./sql-value.ts"

/** A record's column values, in the shard's column order: what the storage inserts. */
export type Row = ReadonlyArray<SqlValue>

/** Either the row to insert, or every issue found in the record (never an empty list). */
export type Validation = Either.Either<Row, readonly [RecordIssue, ...Array<RecordIssue>]>

export type Validator = (input: unknown) => Validation

const options: SchemaAST.ParseOptions = { errors: "all", onExcessProperty: "error" }

/**
 * Compiles a record schema into a synchronous validator: one decode per record, no Effect
 * allocated, so it can sit in a tight loop.
 */
export const makeValidator = <A extends Readonly<Record<string, SqlValue>>, I>(
  schema: Schema.Schema<A, I>,
  columns: ReadonlyArray<string>,
  rules: ReadonlyArray<{ readonly name: string; readonly message: string }>
): Validator => {
  // Issues, not ParseErrors: an Error captures a stack trace, the most expensive part of a rejection.
  const decode = ParseResult.decodeUnknownEither(schema, options)
  // A guard is many times cheaper than a decode (no output built, no issue tree), and for a
  // schema without transformations a record that passes it decodes to itself.
  const guard = decodesToItself(schema.ast) ? (compileGuard(schema.ast) ?? Schema.is(schema, { onExcessProperty: "error" })) : undefined
  const isValid = (input: object): input is A => guard?.(input) === true
  const ruleByMessage = new Map(rules.map((rule) => [rule.message, rule.name]))
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return Either.left([{ kind: "validation", field: null, rule: "type", message: `a record must be an object, got ${describe(input)}` }])
    }
    if (isValid(input)) return Either.right(columns.map((column) => input[column] ?? null))
    // Only a record that failed the guard gets here. The decoder and its messages recurse
    // through the value, so one nested thousands of levels deep would overflow the stack.
    const outOfBounds = valueOutOfBounds(input)
    if (outOfBounds !== undefined) {
      return Either.left([{ kind: "validation", field: outOfBounds.field ?? null, rule: outOfBounds.rule, message: outOfBounds.reason }])
    }
    const decoded = decode(input)
    if (Either.isRight(decoded)) {
      const record = decoded.right
      return Either.right(columns.map((column) => record[column] ?? null))
    }
    const issues = ParseResult.ArrayFormatter.formatIssueSync(decoded.left)
    const [first, ...rest] = issues.slice(0, MAX_ISSUES).map((issue) => toRecordIssue(issue, ruleByMessage))
    if (first === undefined) return Either.left([unexplained])
    if (issues.length > MAX_ISSUES) rest.push(moreIssues(issues.length - MAX_ISSUES))
    return Either.left([first, ...rest])
  }
}

/**
 * The most issues a record's result lists: a record with ten thousand unknown fields is
 * explained as well by its first hundred, and the report, the result files and the terminal
 * then hold a bounded amount per record.
 */
export const MAX_ISSUES = 100

const moreIssues = (count: number): RecordIssue => ({
  kind: "validation",
  field: null,
  rule: "more-issues",
  message: `and ${count.toLocaleString("en-US")} more issues, not listed`
})

/** True when decoding can only check, never change, a value: no transformation anywhere in the schema. */
const decodesToItself = (ast: SchemaAST.AST): boolean => {
  switch (ast._tag) {
    case "Transformation":
    case "Declaration":
    case "Suspend":
      return false
    case "Refinement":
      return decodesToItself(ast.from)
    case "TypeLiteral":
      return (
        ast.propertySignatures.every((signature) => decodesToItself(signature.type)) &&
        ast.indexSignatures.every((signature) => decodesToItself(signature.type))
      )
    case "Union":
      return ast.types.every(decodesToItself)
    case "TupleType":
      return ast.elements.every((element) => decodesToItself(element.type)) && ast.rest.every((rest) => decodesToItself(rest.type))
    default:
      return true
  }
}

const unexplained: RecordIssue = { kind: "validation", field: null, rule: "type", message: "the record was rejected" }

const toRecordIssue = (issue: ParseResult.ArrayFormatterIssue, ruleByMessage: ReadonlyMap<string, string>): RecordIssue => {
  const field = issue.path.length === 0 ? null : issue.path.map(String).join(".")
  const rule = ruleByMessage.get(issue.message)
  if (rule !== undefined) return { kind: "validation", field, rule, message: issue.message }
  const check = issue._tag === "Missing" ? "required" : issue._tag === "Unexpected" ? "unknown-field" : "type"
  const detail = issue._tag === "Missing" ? "is required" : issue._tag === "Unexpected" ? "is not a field of this model" : issue.message
  return { kind: "validation", field, rule: check, message: field === null ? detail : `${field}: ${detail}` }
}

const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value)
