import { Result, Schema, SchemaAST } from "effect"
import type { Migration } from "./migration.ts"
import type { Random } from "./random.ts"
import { type Rule, type RuleBuilder, ruleFor } from "./rule.ts"
import { ShardName } from "./shard-name.ts"
import type { SqlValue } from "./sql-value.ts"
import { type ColumnDefinition, columnDefinitionsOf, tableDefinitionOf } from "./table-definition.ts"
import type { TextRule } from "./text-rule.ts"
import { makeTextValidator } from "./text-validation.ts"
import { makeValidator, type Validator } from "./validation.ts"

/**
 * Everything the rest of the system needs to know about one shard plugin: one model stored in
 * one database file. Built by {@link defineShard}; the registry, router, storage and CLI only
 * ever see this shape.
 */
export interface Shard {
  readonly name: ShardName
  readonly model: string
  readonly table: string
  /** Column names, in insert order; the record's fields. */
  readonly columns: ReadonlyArray<string>
  readonly primaryKey: string
  /**
   * The columns the record's schema declares, engine-neutral (see `columnDefinitionsOf`), or why
   * they cannot be derived from it. What a derived `createTable` is made of, and what a table
   * created by hand-written SQL is checked against.
   */
  readonly columnDefinitions: Result.Result<ReadonlyArray<ColumnDefinition>, string>
  readonly migrations: ReadonlyArray<Migration>
  readonly rules: ReadonlyArray<{ readonly name: string; readonly message: string }>
  /** Built-in sample records, in their raw (encoded) form, invalid ones included. */
  readonly sample: ReadonlyArray<unknown>
  /** Decodes one raw record and checks every rule; never throws. */
  readonly validate: Validator
  /**
   * Same as `validate` for a record whose values all arrive as text (a CSV row): numeric
   * fields are decoded from their text by the schema (`"1000.00"` → 1000).
   */
  readonly validateText: Validator
  /** How to make synthetic records of this model, when the plugin declares it. */
  readonly generators?: RecordGenerators<unknown>
  /**
   * `validate` and `validateText` that also hold every text value to `textRules`: the
   * conditions of the storage engine the records go to (text it could store but not give back
   * as it was given). Built once per list of rules.
   */
  readonly validatorsFor: (textRules: ReadonlyArray<TextRule>) => Validators
}

/** A shard's two validators, for records as given and for records whose values are all text. */
export interface Validators {
  readonly validate: Validator
  readonly validateText: Validator
}

/**
 * How a shard makes synthetic records for demos and benchmarks: valid ones, and for each rule
 * (by name) records that break that rule and only it. `id` is the primary key to use; `random`
 * is the only source of randomness, so output is reproducible from a seed.
 */
export interface RecordGenerators<I> {
  readonly valid: (id: number, random: Random) => I
  readonly invalid: Readonly<Record<string, (id: number, random: Random) => I>>
}

/** A decoded record: one SQLite value per column. */
export type RecordShape = Readonly<Record<string, SqlValue>>

/** A shard together with the typed `Schema` of its records. */
export interface ShardDefinition<A extends RecordShape, I> extends Shard {
  /** The record's schema with the shard's rules as a check on the struct. */
  readonly schema: Schema.Codec<A, I>
}

export interface ShardConfig<A extends RecordShape, I> {
  /** Shard (and file) name, e.g. `users`. */
  readonly name: string
  /** Model name, e.g. `User`; what routers and commands speak of. */
  readonly model: string
  readonly table: string
  /**
   * The record's `Schema.Struct`, one field per column in column order: the type checks,
   * each failing with a message that names its field.
   */
  readonly record: Schema.Codec<A, I>
  readonly primaryKey: keyof A & string
  readonly rules: (rule: RuleBuilder<A>) => ReadonlyArray<Rule<A>>
  /**
   * Versioned DDL, applied in order; version numbers start at 1 and never change once released.
   * Left out, it is one migration creating the table derived from `record` (`createTable`:
   * each field a column of its type, NOT NULL unless `Schema.NullOr`, the primary key), which
   * each storage backend writes in its own SQL. Write them out to change the table later: the
   * derived version 1 as it stands (it must not change once released), then version 2.
   */
  readonly migrations?: ReadonlyArray<Migration>
  readonly sample: ReadonlyArray<I>
  /** Synthetic data for `generate`; every rule must have an `invalid` generator. */
  readonly generators?: RecordGenerators<I>
}

/**
 * Declares a shard plugin. A shard package is one call to this.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { defineShard } from "@distributed-insert/shard"
 *
 * export const tags = defineShard({
 *   name: "tags",
 *   model: "Tag",
 *   table: "tags",
 *   record: Schema.Struct({ id: Schema.Int, label: Schema.String }),
 *   primaryKey: "id",
 *   rules: (rule) => [
 *     rule({ name: "label-required", message: "Label cannot be empty", fields: ["label"], holds: (label) => label.length > 0 })
 *   ],
 *   sample: [{ id: 1, label: "new" }]
 * })
 * ```
 *
 * Its table is derived from `record` (see `ShardConfig.migrations`): here
 * `CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL)` in SQLite.
 *
 * @throws Error when the declaration itself is inconsistent (bad name, unordered migrations,
 * duplicate rule messages, generators that miss or invent a rule, no `migrations` and a record
 * whose table cannot be derived): a programming error, reported when the plugin is loaded.
 */
export const defineShard = <A extends RecordShape, I>(config: ShardConfig<A, I>): ShardDefinition<A, I> => {
  const name = Schema.decodeUnknownSync(ShardName)(config.name)
  const record = SchemaAST.toType(config.record.ast)
  const columns = SchemaAST.isObjects(record) ? record.propertySignatures.map((signature) => String(signature.name)) : []
  if (columns.length === 0) throw new Error(`shard ${name}: \`record\` must be a Schema.Struct with one field per column`)
  const rules = config.rules(ruleFor<A>())
  assertDistinct(`shard ${name}: rule messages`, rules.map((rule) => rule.message))
  const columnDefinitions = columnDefinitionsOf(config.record)
  const migrations = config.migrations ?? derivedMigrations(name, config.table, config.primaryKey, columnDefinitions)
  assertMigrationsOrdered(name, migrations)
  if (config.generators !== undefined) assertGeneratorsMatchRules(name, rules, config.generators.invalid)

  // Checked once every field has its type; all of its issues are reported, each at its field.
  const build = (textRules: ReadonlyArray<TextRule>) => {
    const schema = config.record.check(
      Schema.makeFilter((record: A) => {
        // Runs for every record: no allocation unless a rule is broken.
        let issues: Array<Schema.FilterIssue> | undefined
        for (const column of columns) {
          const value = record[column]
          // A text value is reported once, for the first of the engine's rules it breaks.
          const broken = typeof value === "string" ? textRules.find((textRule) => textRule.breaks(value)) : undefined
          if (broken === undefined) continue
          issues = issues ?? []
          issues.push({ path: [column], issue: broken.message })
        }
        for (const rule of rules) {
          const field = rule.brokenField(record)
          if (field === undefined) continue
          issues = issues ?? []
          issues.push({ path: [field], issue: rule.message })
        }
        return issues
      })
    )
    // The text rules name their issues like rules do, without being the plugin's rules.
    const checks = [...rules, ...textRules]
    return { schema, validate: makeValidator(schema, columns, checks), validateText: makeTextValidator(schema, columns, checks) }
  }
  const plain = build([])
  const built = new WeakMap<ReadonlyArray<TextRule>, Validators>()
  const validatorsFor = (textRules: ReadonlyArray<TextRule>): Validators => {
    if (textRules.length === 0) return plain
    const known = built.get(textRules)
    if (known !== undefined) return known
    const { validate, validateText } = build(textRules)
    built.set(textRules, { validate, validateText })
    return { validate, validateText }
  }
  return {
    name,
    model: config.model,
    table: config.table,
    columns,
    primaryKey: config.primaryKey,
    columnDefinitions,
    migrations,
    rules: rules.map(({ name, message }) => ({ name, message })),
    sample: config.sample,
    schema: plain.schema,
    validate: plain.validate,
    validateText: plain.validateText,
    validatorsFor,
    ...(config.generators === undefined ? {} : { generators: config.generators })
  }
}

/** Version 1 creating the table derived from the record, for a shard that declares no migrations. */
const derivedMigrations = (
  shard: string,
  table: string,
  primaryKey: string,
  columnDefinitions: Result.Result<ReadonlyArray<ColumnDefinition>, string>
): ReadonlyArray<Migration> => {
  const derived = tableDefinitionOf({ table, primaryKey, columnDefinitions })
  if (Result.isFailure(derived)) {
    throw new Error(`shard ${shard}: its table cannot be derived from \`record\`: ${derived.failure}; declare \`migrations\` with its SQL instead`)
  }
  return [{ version: 1, description: `create ${table}`, createTable: derived.success }]
}

const assertDistinct = (what: string, values: ReadonlyArray<string>): void => {
  const seen = new Set<string>()
  for (const value of values) {
    if (seen.has(value)) throw new Error(`${what} must be distinct; "${value}" appears twice`)
    seen.add(value)
  }
}

const assertMigrationsOrdered = (shard: string, migrations: ReadonlyArray<Migration>): void => {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`shard ${shard}: migration versions must be 1, 2, 3, ... in order; found ${migration.version} at position ${index + 1}`)
    }
  })
}

/** Every rule can be broken on purpose, and every invalid generator breaks a rule that exists. */
const assertGeneratorsMatchRules = <A>(shard: string, rules: ReadonlyArray<Rule<A>>, invalid: Readonly<Record<string, unknown>>): void => {
  const declared = new Set(rules.map((rule) => rule.name))
  for (const rule of declared) {
    if (!Object.hasOwn(invalid, rule)) throw new Error(`shard ${shard}: \`generators.invalid\` has no generator for rule "${rule}"`)
  }
  for (const rule of Object.keys(invalid)) {
    if (!declared.has(rule)) throw new Error(`shard ${shard}: \`generators.invalid\` names "${rule}", which is not a rule (rules: ${[...declared].join(", ")})`)
  }
}
