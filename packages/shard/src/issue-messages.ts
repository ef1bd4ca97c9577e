import { Formatter, Result, Schema, type SchemaAST, SchemaIssue, SchemaParser } from "effect"

/** One problem of a rejected record, found in a Schema issue tree, before it is named as a rule or a check. */
export interface FoundIssue {
  /** Where in the record: empty for the record itself. */
  readonly path: ReadonlyArray<PropertyKey>
  /** A key the schema requires and the record lacks, a key it does not declare, or a value it refuses. */
  readonly kind: "missing" | "unexpected" | "invalid"
  /** For `invalid`: a rule's message, or `Expected <what>, actual <value>`. */
  readonly message: string
}

/**
 * The parse options that produce the issues {@link foundIssues} reads: every issue of a
 * record (`errors: "all"`), undeclared keys as issues, and the refused values kept in them
 * (`reportInput`) so that messages can say what was given.
 */
export const ISSUE_OPTIONS: SchemaAST.ParseOptions = { errors: "all", onExcessProperty: "error", reportInput: true }

/**
 * Flattens a Schema issue tree into one entry per problem, in the decoder's order (undeclared
 * keys first, then the fields in declaration order), with the messages this project has always
 * shown: `Expected number, actual "7"`, `Expected an integer, actual 1.5`, a rule's own message.
 *
 * Effect 4's own formatters (`SchemaIssue.makeFormatterStandardSchemaV1`) say `got` where these
 * say `actual`, and report a value that no member of a union accepts once, for the whole union
 * (`Expected 1 | 2 | 3`); here, as before, each member says why it refuses the value
 * (`Expected 1, actual 4`, `Expected 2, actual 4`, ...). The leaves' `Expected ...` wording is
 * Effect's (`SchemaIssue.defaultLeafHook`, the filters' `expected` annotations).
 */
export const foundIssues = (issue: SchemaIssue.Issue): Array<FoundIssue> => {
  const found: Array<FoundIssue> = []
  collect(issue, [], found)
  return found
}

const collect = (issue: SchemaIssue.Issue, path: ReadonlyArray<PropertyKey>, found: Array<FoundIssue>): void => {
  switch (issue._tag) {
    case "Pointer":
      collect(issue.issue, [...path, ...issue.path], found)
      return
    case "Composite":
      for (const inner of issue.issues) collect(inner, path, found)
      return
    case "Encoding":
      collect(issue.issue, path, found)
      return
    case "Filter":
      // A check of a value (`Schema.Int`'s) fails with a value issue; the record's rules name
      // their own fields (a Pointer, or a Composite of them).
      if (issue.issue._tag === "InvalidValue") found.push({ path, kind: "invalid", message: filterMessage(issue, issue.issue) })
      else collect(issue.issue, path, found)
      return
    case "AnyOf":
      collectMembers(issue, path, found)
      return
    case "MissingKey":
      found.push({ path, kind: "missing", message: SchemaIssue.defaultLeafHook(issue) })
      return
    case "UnexpectedKey":
      found.push({ path, kind: "unexpected", message: SchemaIssue.defaultLeafHook(issue) })
      return
    case "InvalidType":
      found.push({ path, kind: "invalid", message: withActual(SchemaIssue.defaultLeafHook(new SchemaIssue.InvalidType(issue.ast)), issue) })
      return
    case "InvalidValue":
      found.push({ path, kind: "invalid", message: valueMessage(issue) })
      return
    case "Forbidden":
    case "OneOf":
      found.push({ path, kind: "invalid", message: SchemaIssue.defaultLeafHook(issue) })
      return
  }
}

/** A value no member of a union accepts: why each member refuses it, in member order. */
const collectMembers = (issue: SchemaIssue.AnyOf, path: ReadonlyArray<PropertyKey>, found: Array<FoundIssue>): void => {
  if (!SchemaIssue.hasInput(issue)) {
    for (const { message } of SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues) found.push({ path, kind: "invalid", message })
    return
  }
  for (const member of issue.ast.types) {
    const decoded = memberDecoder(member)(issue.input, ISSUE_OPTIONS)
    if (Result.isFailure(decoded)) collect(decoded.failure, path, found)
  }
}

const memberDecoders = new WeakMap<SchemaAST.AST, (input: unknown, options: SchemaAST.ParseOptions) => Result.Result<unknown, SchemaIssue.Issue>>()

const memberDecoder = (ast: SchemaAST.AST) => {
  let decoder = memberDecoders.get(ast)
  if (decoder === undefined) {
    decoder = SchemaParser.decodeUnknownResult(Schema.make<Schema.Decoder<unknown>>(ast))
    memberDecoders.set(ast, decoder)
  }
  return decoder
}

/** A failed check: its message, or what it expects (`an integer`) and the value it got. */
const filterMessage = (issue: SchemaIssue.Filter, inner: SchemaIssue.InvalidValue): string => {
  const message = inner.annotations?.message ?? issue.filter.annotations?.message
  if (typeof message === "string") return message
  const expected = inner.annotations?.expected ?? issue.filter.annotations?.expected
  const input = SchemaIssue.hasInput(issue) ? issue : inner
  return withActual(`Expected ${typeof expected === "string" ? expected : "<filter>"}`, input)
}

const valueMessage = (issue: SchemaIssue.InvalidValue): string => {
  const message = issue.annotations?.message
  if (typeof message === "string") return message
  const expected = issue.annotations?.expected
  return typeof expected === "string" ? withActual(`Expected ${expected}`, issue) : SchemaIssue.defaultLeafHook(issue)
}

/** `Expected number` → `Expected number, actual "7"`; a custom message (no `Expected`) stays as it is. */
const withActual = (expected: string, issue: SchemaIssue.Issue): string =>
  expected.startsWith("Expected ") && SchemaIssue.hasInput(issue) ? `${expected}, actual ${Formatter.format(issue.input)}` : expected
