/**
 * The conformance check of a shard plugin: what every shard package must hold to, registered as
 * vitest `describe`/`it` blocks by one call, {@link shardConformance}. Test-only (exported from
 * the testing entry, never from mod.ts): it imports vitest and fast-check. Engine-neutral: it
 * checks the plugin's validation, never a database.
 */
import { describe, expect, it } from "@effect/vitest"
import { Formatter, Result, Schema } from "effect"
import fc from "fast-check"
import { checkGenerators } from "./check-generators.ts"
import { acceptsValue, type FieldKind, fieldKindsOf } from "./field-kinds.ts"
import { anyInput, hostileRecord, hostileTextRecord } from "./hostile.ts"
import { seededRandom } from "./random.ts"
import type { RecordIssue } from "./record-issue.ts"
import type { RecordGenerators, RecordShape, Shard, ShardDefinition } from "./shard.ts"
import type { TextRule } from "./text-rule.ts"
import { decodesToItself, MAX_ISSUES, type Row, type Validation } from "./validation.ts"

/** A record's outcome as the seed reports it: `null` when it is accepted, else its errors' messages, in order. */
export type Outcome = ReadonlyArray<string> | null

export interface ConformanceOptions {
  /** One outcome per record of `shard.sample`, in order: `null` for a valid record, else its messages in order. */
  readonly sampleOutcomes: ReadonlyArray<Outcome>
  /**
   * Records beyond the sample, with their outcomes, for what the sample does not show: the
   * order of the messages of a record that breaks several rules, a rule over several fields.
   */
  readonly examples?: ReadonlyArray<{ readonly record: unknown; readonly errors: Outcome }>
  /** How many ids the generators are checked for (1 to this); 300 by default. */
  readonly generatedIds?: number
  /** How many records each hostile-input property tries; 200 by default. */
  readonly hostileRuns?: number
}

/**
 * Registers the conformance tests of `shard`, in a `describe` block named after it:
 *
 * - its sample records: each one's messages are the given ones, in order; a valid one is
 *   accepted as the row of its values;
 * - its rules and generators: every rule has a name and a message of its own; the generators
 *   keep their promise (`checkGenerators` finds nothing); valid records are accepted as their
 *   row, from their values and from their text (CSV); each rule's invalid record has one issue,
 *   naming a field the generator changed; a record that breaks every rule lists every message,
 *   in declaration order;
 * - hostile input (fast-check): `validate` and `validateText` never throw, whatever they are
 *   given; every rejection's issues each name a rule of the shard or a check of the validator,
 *   and the field at fault; an accepted record has exactly the shard's fields, each of its
 *   kind (see `fieldKindsOf`), and becomes the row of exactly the values given.
 *
 * A shard must declare generators to conform.
 */
export const shardConformance = <A extends RecordShape, I>(shard: ShardDefinition<A, I>, options: ConformanceOptions): void => {
  const ids = options.generatedIds ?? 300
  const numRuns = options.hostileRuns ?? 200
  const kinds = fieldKindsOf(shard)

  describe(`shard ${shard.name} (${shard.model}) conformance`, () => {
    describe("sample records", () => {
      it(`has one outcome for each of its ${shard.sample.length} sample records`, () => {
        expect(options.sampleOutcomes).toHaveLength(shard.sample.length)
      })
      shard.sample.forEach((record, index) => {
        const outcome = options.sampleOutcomes[index]
        it(`sample record ${index + 1} ${describeOutcome(outcome)}`, () => {
          expect(outcome, `sampleOutcomes has no entry for sample record ${index + 1}`).toBeDefined()
          expectOutcome(shard, record, outcome ?? null)
        })
      })
      for (const { record, errors } of options.examples ?? []) {
        it(`${shown(record)} ${describeOutcome(errors)}`, () => expectOutcome(shard, record, errors))
      }
    })

    describe("rules and generators", () => {
      it("names every rule, with a message of its own, apart from the validator's checks", () => {
        for (const rule of shard.rules) {
          expect(rule.name.trim(), `a rule of ${shard.name} has no name`).not.toBe("")
          expect(rule.message.trim(), `rule ${rule.name} has no message`).not.toBe("")
          expect(VALIDATOR_CHECKS, `rule ${rule.name} takes the name of one of the validator's checks`).not.toContain(rule.name)
        }
        expect(new Set(shard.rules.map((rule) => rule.name)).size, "two rules have the same name").toBe(shard.rules.length)
      })

      it("has generators that keep their promise: valid records pass, each invalid one breaks its rule alone", () => {
        expect(checkGenerators(shard, ids)).toEqual([])
      })

      it("accepts each generated valid record as the row of its values, given as values or as CSV text", () => {
        const { valid } = generatorsOf(shard)
        const problems: Array<string> = []
        for (let id = 1; id <= ids; id++) {
          const record = asRead(valid(id, seededRandom(id)))
          const validation = shard.validate(record)
          if (Result.isFailure(validation)) {
            problems.push(`id ${id}: refused (${messagesOf(validation)?.join("; ")})`)
            continue
          }
          problems.push(...acceptedProblems(shard, record, validation.success, rowOf(shard, record)).map((problem) => `id ${id}: ${problem}`))
          const cells = asCsvCells(record)
          if (cells === undefined) continue
          const fromText = shard.validateText(cells)
          if (Result.isFailure(fromText)) problems.push(`id ${id}: refused as text (${messagesOf(fromText)?.join("; ")})`)
          else if (!sameRow(fromText.success, validation.success)) problems.push(`id ${id}: as text it is ${shown(fromText.success)}, not ${shown(validation.success)}`)
        }
        expect(problems).toEqual([])
      })

      it("generates for each rule records whose one issue names a field the generator changed", () => {
        const generators = generatorsOf(shard)
        const problems: Array<string> = []
        for (let id = 1; id <= ids; id++) {
          const valid = asRead(generators.valid(id, seededRandom(id)))
          for (const rule of shard.rules) {
            const invalid = asRead(generators.invalid[rule.name]?.(id, seededRandom(id)))
            const issues = issuesOf(shard.validate(invalid))
            const changed = changedFields(valid, invalid)
            const [issue] = issues
            if (issues.length !== 1 || issue?.rule !== rule.name) {
              problems.push(`id ${id}: the ${rule.name} record has the issues ${shown(issues)}`)
            } else if (issue.field === null || !shard.columns.includes(issue.field) || !changed.includes(issue.field)) {
              problems.push(`id ${id}: the ${rule.name} issue names ${shown(issue.field)}, not a field the generator changed (${changed.join(", ")})`)
            }
          }
        }
        expect(problems).toEqual([])
      })

      // Each rule checks its fields' values one by one, so values that break one rule alone
      // still break it, and only it, beside values that break the others: a record with every
      // invalid generator's changes gets every message. Checked for the ids whose invalid
      // records change different fields (two rules on one field cannot both be broken at once).
      it("lists every rule's message, in declaration order, for a record that breaks them all at once", () => {
        const generators = generatorsOf(shard)
        const problems: Array<string> = []
        for (let id = 1; id <= ids; id++) {
          const combined = breakingEveryRule(shard, generators, id)
          if (combined === undefined) continue
          const messages = messagesOf(shard.validate(combined))
          const expected = shard.rules.map((rule) => rule.message)
          if (JSON.stringify(messages) !== JSON.stringify(expected)) problems.push(`id ${id}: ${shown(combined)} gets ${shown(messages)}`)
        }
        expect(problems).toEqual([])
      })
    })

    describe("hostile input", () => {
      it("never throws in validate or validateText, whatever the value, and every rejection explains itself", () => {
        fc.assert(
          fc.property(anyInput, (input) => {
            for (const validate of [shard.validate, shard.validateText]) {
              const validation = validate(input)
              if (Result.isFailure(validation)) expect(unexplainedIssues(shard, input, validation.failure)).toEqual([])
            }
          }),
          { numRuns }
        )
      })

      it("refuses a hostile record naming each issue's rule and field, or accepts it as the row of exactly its values", () => {
        fc.assert(
          fc.property(hostileRecord(kinds), (input) => {
            const validation = shard.validate(input)
            const problems = Result.isFailure(validation)
              ? unexplainedIssues(shard, input, validation.failure)
              : [...acceptedProblems(shard, input, validation.success, rowOf(shard, input)), ...kindProblems(kinds, input, (_kind, given) => given)]
            expect(problems).toEqual([])
          }),
          { numRuns }
        )
      })

      it("refuses a hostile record read as text (validateText) the same way, or accepts it with each number decoded from its text", () => {
        fc.assert(
          fc.property(hostileTextRecord(kinds), (input) => {
            const validation = shard.validateText(input)
            const problems = Result.isFailure(validation)
              ? unexplainedIssues(shard, input, validation.failure)
              : [...acceptedProblems(shard, input, validation.success, textRowOf(shard, kinds, input)), ...kindProblems(kinds, input, valueFromText)]
            expect(problems).toEqual([])
          }),
          { numRuns }
        )
      })
    })
  })
}

/**
 * The names the validator gives its own checks, besides the shard's rules: a wrong type,
 * a missing or unknown field (validation.ts), a record out of bounds and the note that
 * issues were left out (record-limits.ts, validation.ts).
 */
export const VALIDATOR_CHECKS = ["type", "required", "unknown-field", "too-deep", "too-large", "more-issues"] as const

/**
 * What is wrong with the issues `shard` refused `input` with, as sentences; empty when each
 * explains itself. A value that is not a record gets one `type` issue naming no field. Each
 * issue of a record names a rule: a rule of the shard (each at most once, with its message,
 * naming one of the shard's fields), or a check of the validator naming what it refers to: a
 * wrong type or a missing field names a field of the shard, an unknown field a key of the
 * record, a record nested too deep the key it is nested under (if it is one field's fault).
 * With `textRules`, for the validators of `shard.validatorsFor(textRules)`, an issue may also
 * name one of those, with its message and a field of the shard.
 */
export const unexplainedIssues = (
  shard: Shard,
  input: unknown,
  issues: ReadonlyArray<RecordIssue>,
  textRules: ReadonlyArray<TextRule> = []
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const complain = (issue: RecordIssue, why: string) => problems.push(`${shown(issue)} ${why}`)
  if (issues.length === 0) problems.push("the record is refused with no issue")
  if (issues.length > MAX_ISSUES + 1) problems.push(`${issues.length} issues: more than ${MAX_ISSUES}, and the note of how many more`)
  if (!isRecordObject(input)) {
    const [issue] = issues
    if (issues.length !== 1 || issue?.field !== null || issue.rule !== "type") problems.push(`a value that is not a record gets ${shown(issues)}, not one type issue naming no field`)
    return problems
  }
  const columns = new Set(shard.columns)
  const isFieldOfShard = (field: string | null): boolean =>
    field !== null && (columns.has(field) || shard.columns.some((column) => field.startsWith(`${column}.`)))
  const reported = new Set<string>()
  for (const issue of issues) {
    if (issue.kind !== "validation") complain(issue, "is not a validation issue")
    if (issue.message.trim() === "") complain(issue, "has no message")
    const textRule = textRules.find((candidate) => candidate.name === issue.rule)
    if (textRule !== undefined) {
      if (issue.message !== textRule.message) complain(issue, `does not say the text rule's message, ${JSON.stringify(textRule.message)}`)
      if (issue.field === null || !columns.has(issue.field)) complain(issue, "names no field of the shard")
      continue
    }
    const rule = shard.rules.find((candidate) => candidate.name === issue.rule)
    if (rule !== undefined) {
      if (reported.has(rule.name)) complain(issue, "reports a rule already reported for this record")
      reported.add(rule.name)
      if (issue.message !== rule.message) complain(issue, `does not say the rule's message, ${JSON.stringify(rule.message)}`)
      if (!isFieldOfShard(issue.field)) complain(issue, "names no field of the shard")
      continue
    }
    switch (issue.rule) {
      case "type":
      case "required":
        if (!isFieldOfShard(issue.field)) complain(issue, "names no field of the shard")
        break
      case "unknown-field":
        if (issue.field === null || columns.has(issue.field) || !Object.hasOwn(input, issue.field)) complain(issue, "names no key of the record that is not a field")
        break
      case "too-deep":
        if (issue.field !== null && !Object.hasOwn(input, issue.field)) complain(issue, "names no key of the record")
        break
      case "too-large":
      case "more-issues":
        if (issue.field !== null) complain(issue, "names a field, though it is the whole record's")
        break
      default:
        complain(issue, "names neither a rule of the shard nor a check of the validator")
    }
  }
  return problems
}

/**
 * What is wrong with `row`, which `shard` accepted `input` as, as sentences; empty when the
 * record has only the shard's fields and the row holds, column by column, the `expected` value
 * (compared with `Object.is`, so that -0 is not 0). Without `expected`, only the fields are checked.
 */
export const acceptedProblems = (shard: Shard, input: unknown, row: Row, expected: Row | undefined): ReadonlyArray<string> => {
  if (!isRecordObject(input)) return [`accepted ${shown(input)}, which is not a record`]
  const problems = Object.keys(input)
    .filter((key) => !shard.columns.includes(key))
    .map((key) => `accepted the field ${JSON.stringify(key)}, which is not a column`)
  if (row.length !== shard.columns.length) problems.push(`the row has ${row.length} values for ${shard.columns.length} columns`)
  if (expected === undefined) return problems
  shard.columns.forEach((column, index) => {
    if (!Object.is(row[index], expected[index])) {
      problems.push(`column ${column} holds ${shown(row[index])}, not ${shown(expected[index])}`)
    }
  })
  return problems
}

/** The fields of an accepted record whose value (as `readValue` reads it for its kind) is not of the field's kind. */
const kindProblems = (
  kinds: Readonly<Record<string, FieldKind>>,
  input: unknown,
  readValue: (kind: FieldKind, given: unknown) => unknown
): ReadonlyArray<string> => {
  if (!isRecordObject(input)) return []
  return Object.entries(kinds)
    .filter(([field, kind]) => kind !== "other" && !acceptsValue(kind, readValue(kind, Reflect.get(input, field))))
    .map(([field, kind]) => `accepted ${shown(Reflect.get(input, field))} for ${field}, a field of kind ${kind}`)
}

/**
 * The row `shard` must accept `record` as: its values as given, in column order, a missing one
 * as null. A shard whose schema transforms values (`Schema.NumberFromString`) stores what the
 * schema decodes them to instead.
 */
export const rowOf = <A extends RecordShape, I>(shard: ShardDefinition<A, I>, record: unknown): Row => {
  if (!isRecordObject(record)) return []
  if (decodesToItself(shard.schema.ast)) return shard.columns.map((column) => valueOrNull(Reflect.get(record, column)))
  const decoded = Schema.decodeUnknownSync(shard.schema)(record)
  return shard.columns.map((column) => decoded[column] ?? null)
}

/**
 * The row `shard` must accept a record of text values as: text as given, numbers decoded from
 * their text. Undefined (values not checked) when the schema transforms values of its own.
 */
const textRowOf = <A extends RecordShape, I>(shard: ShardDefinition<A, I>, kinds: Readonly<Record<string, FieldKind>>, record: unknown): Row | undefined => {
  if (!isRecordObject(record) || !decodesToItself(shard.schema.ast) || Object.values(kinds).includes("other")) return undefined
  return shard.columns.map((column) => {
    const given = Reflect.get(record, column)
    const kind = kinds[column]
    return kind === undefined ? null : valueOrNull(valueFromText(kind, given))
  })
}

/** A CSV cell as the text validator reads it for a field of this kind: a number from its text, text as it is. */
const valueFromText = (kind: FieldKind, given: unknown): unknown => (kind !== "text" && typeof given === "string" ? Number(given) : given)

/** A value in a sentence: formatted (-0 as such), and cut short (hostile text can be a megabyte long). */
const shown = (value: unknown): string => {
  const text = Object.is(value, -0) ? "-0" : Formatter.format(value)
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text
}

const valueOrNull = (value: unknown): Row[number] =>
  typeof value === "number" || typeof value === "string" || value instanceof Uint8Array ? value : null

const describeOutcome = (outcome: Outcome | undefined): string =>
  outcome === undefined ? "has an outcome" : outcome === null ? "is accepted as its row" : `is refused: ${outcome.join("; ")}`

/** The seed's check of one record: its messages, or for a valid record the row of its values. */
const expectOutcome = <A extends RecordShape, I>(shard: ShardDefinition<A, I>, record: unknown, outcome: Outcome): void => {
  const validation = shard.validate(record)
  expect(messagesOf(validation)).toEqual(outcome)
  if (Result.isSuccess(validation)) expect(acceptedProblems(shard, record, validation.success, rowOf(shard, record))).toEqual([])
}

const messagesOf = (validation: Validation): Outcome => (Result.isSuccess(validation) ? null : validation.failure.map((issue) => issue.message))

const issuesOf = (validation: Validation): ReadonlyArray<RecordIssue> => (Result.isSuccess(validation) ? [] : validation.failure)

const generatorsOf = (shard: Shard): RecordGenerators<unknown> => {
  if (shard.generators === undefined) throw new Error(`shard ${shard.name} declares no generators; a shard must, to conform`)
  return shard.generators
}

/** A generated record as it is read back from the NDJSON it is written to. */
const asRead = (record: unknown): unknown => (record === undefined ? undefined : JSON.parse(JSON.stringify(record)))

/** The record's values as a CSV row holds them, or undefined when one is neither text nor a number. */
const asCsvCells = (record: unknown): Readonly<Record<string, string>> | undefined => {
  if (!isRecordObject(record)) return undefined
  const cells: Record<string, string> = {}
  for (const [field, value] of Object.entries(record)) {
    if (typeof value !== "string" && typeof value !== "number") return undefined
    cells[field] = String(value)
  }
  return cells
}

const sameRow = (left: Row, right: Row): boolean => left.length === right.length && left.every((value, index) => Object.is(value, right[index]))

/** The fields whose values differ (as JSON) between two records; all of `invalid`'s when `valid` is not a record. */
const changedFields = (valid: unknown, invalid: unknown): ReadonlyArray<string> => {
  if (!isRecordObject(invalid)) return []
  const before = isRecordObject(valid) ? valid : {}
  return [...new Set([...Object.keys(before), ...Object.keys(invalid)])].filter(
    (field) => JSON.stringify(Reflect.get(before, field)) !== JSON.stringify(Reflect.get(invalid, field))
  )
}

/**
 * The valid record of `id` with the changes of every rule's invalid record of `id` applied, or
 * undefined when two of them change the same field (or one changes none).
 */
const breakingEveryRule = (shard: Shard, generators: RecordGenerators<unknown>, id: number): object | undefined => {
  const valid = asRead(generators.valid(id, seededRandom(id)))
  if (!isRecordObject(valid)) return undefined
  const combined: Record<string, unknown> = { ...valid }
  const changedSoFar = new Set<string>()
  for (const rule of shard.rules) {
    const invalid = asRead(generators.invalid[rule.name]?.(id, seededRandom(id)))
    const changed = changedFields(valid, invalid)
    if (!isRecordObject(invalid) || changed.length === 0 || changed.some((field) => changedSoFar.has(field))) return undefined
    for (const field of changed) {
      changedSoFar.add(field)
      combined[field] = Reflect.get(invalid, field)
    }
  }
  return combined
}

const isRecordObject = (value: unknown): value is object => typeof value === "object" && value !== null && !Array.isArray(value)
