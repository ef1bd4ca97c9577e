import { Result, type Schema, type SchemaAST, SchemaParser } from "effect"
import { compileGuard } from "./compile-guard.ts"
import { type FoundIssue, foundIssues, ISSUE_OPTIONS } from "./issue-messages.ts"
import type { RecordIssue } from "./record-issue.ts"
import { valueOutOfBounds } from "./record-limits.ts"
import type { SqlValue } from "./sql-value.ts"

/** A record's column values, in the shard's column order: what the storage inserts. */
export type Row = ReadonlyArray<SqlValue>

/** Either the row to insert, or every issue found in the record (never an empty list). */
export type Validation = Result.Result<Row, readonly [RecordIssue, ...Array<RecordIssue>]>

export type Validator = (input: unknown) => Validation

/**
 * Compiles a record schema into a synchronous validator: one decode per record, no Effect
 * allocated, so it can sit in a tight loop.
 */
export const makeValidator = <A extends Readonly<Record<string, SqlValue>>>(
  schema: Schema.Decoder<A>,
  columns: ReadonlyArray<string>,
  rules: ReadonlyArray<{ readonly name: string; readonly message: string }>
): Validator => {
  // Issues, not SchemaErrors: an Error captures a stack trace, the most expensive part of a rejection.
  const decode = SchemaParser.decodeUnknownResult(schema, ISSUE_OPTIONS)
  // A guard is many times cheaper than a decode (no output built, no issue tree), and for a
  // schema without transformations a record that passes it decodes to itself.
  const guard = decodesToItself(schema.ast) ? compileGuard(schema.ast) : undefined
  const isValid = (input: object): input is A => guard?.(input) === true
  const ruleByMessage = new Map(rules.map((rule) => [rule.message, rule.name]))
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return Result.fail([{ kind: "validation", field: null, rule: "type", message: `a record must be an object, got ${describe(input)}` }])
    }
    if (isValid(input)) return Result.succeed(columns.map((column) => input[column] ?? null))
    // Only a record that failed the guard gets here. The decoder and its messages recurse
    // through the value, so one nested thousands of levels deep would overflow the stack.
    const outOfBounds = valueOutOfBounds(input)
    if (outOfBounds !== undefined) {
      return Result.fail([{ kind: "validation", field: outOfBounds.field ?? null, rule: outOfBounds.rule, message: outOfBounds.reason }])
    }
    const decoded = decode(input)
    if (Result.isSuccess(decoded)) {
      const record = decoded.success
      return Result.succeed(columns.map((column) => record[column] ?? null))
    }
    const issues = foundIssues(decoded.failure)
    const [first, ...rest] = issues.slice(0, MAX_ISSUES).map((issue) => toRecordIssue(issue, ruleByMessage))
    if (first === undefined) return Result.fail([unexplained])
    if (issues.length > MAX_ISSUES) rest.push(moreIssues(issues.length - MAX_ISSUES))
    return Result.fail([first, ...rest])
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

/**
 * True when decoding can only check, never change, a value: no transformation (`encoding`)
 * anywhere in the schema. Checks (`Schema.Int`'s, the rules') only check. Also what the
 * conformance check asks to know whether an accepted record's row must hold its values as given.
 */
export const decodesToItself = (ast: SchemaAST.AST): boolean => {
  if (ast.encoding !== undefined) return false
  switch (ast._tag) {
    case "Declaration":
    case "Suspend":
      return false
    case "Objects":
      return (
        ast.propertySignatures.every((signature) => decodesToItself(signature.type)) &&
        ast.indexSignatures.every((signature) => decodesToItself(signature.type))
      )
    case "Union":
      return ast.types.every(decodesToItself)
    case "Arrays":
      return ast.elements.every(decodesToItself) && ast.rest.every(decodesToItself)
    default:
      return true
  }
}

const unexplained: RecordIssue = { kind: "validation", field: null, rule: "type", message: "the record was rejected" }

const toRecordIssue = (issue: FoundIssue, ruleByMessage: ReadonlyMap<string, string>): RecordIssue => {
  const field = issue.path.length === 0 ? null : issue.path.map(String).join(".")
  const rule = ruleByMessage.get(issue.message)
  if (rule !== undefined) return { kind: "validation", field, rule, message: issue.message }
  const check = issue.kind === "missing" ? "required" : issue.kind === "unexpected" ? "unknown-field" : "type"
  const detail = issue.kind === "missing" ? "is required" : issue.kind === "unexpected" ? "is not a field of this model" : issue.message
  return { kind: "validation", field, rule: check, message: field === null ? detail : `${field}: ${detail}` }
}

const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value)
