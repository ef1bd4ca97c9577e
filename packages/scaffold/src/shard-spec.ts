import { ShardName } from "@distributed-insert/shard"
import { Result, Schema } from "effect"
import { camelCase, isFreeIdentifier, modelNameOf, reservedWordProblem } from "./names.ts"

/** A field's type on the command line: `Schema.Int`, `Schema.Finite` or `Schema.String`. */
export type FieldType = "int" | "real" | "text"

const FIELD_TYPES: ReadonlyArray<FieldType> = ["int", "real", "text"]

export interface FieldSpec {
  readonly name: string
  readonly type: FieldType
  /** `Schema.NullOr(...)`: written `NAME:TYPE?`. */
  readonly nullable: boolean
}

/** Everything the generated package is written from, checked. */
export interface ShardSpec {
  readonly name: string
  readonly model: string
  readonly table: string
  /** The constant the package exports, and the CLI's registration imports. */
  readonly exportName: string
  readonly packageName: string
  /** Relative to the workspace root, `/`-separated. */
  readonly packageDir: string
  readonly fields: ReadonlyArray<FieldSpec>
  readonly primaryKey: string
}

/** What the user asked for, as given on the command line. */
export interface ShardRequest {
  readonly name: string | undefined
  /** `NAME:TYPE` or `NAME:TYPE?`, in column order. */
  readonly fields: ReadonlyArray<string>
  /** Defaults to the first field. */
  readonly primaryKey: string | undefined
  /** Defaults to the singular of the name in PascalCase (`reviews` → `Review`). */
  readonly model: string | undefined
}

/** What the workspace already has, which a new shard must not take. */
export interface TakenNames {
  /** Every workspace package's name. */
  readonly packageNames: ReadonlySet<string>
  /** Every folder under `packages/` and `apps/`, as `packages/x`. */
  readonly packageDirs: ReadonlySet<string>
  /** Every shard the workspace's shard packages declare. */
  readonly shards: ReadonlyArray<{ readonly name: string; readonly model: string; readonly table: string }>
}

/** The package of shard `name`: `@distributed-insert/shard-<name>`. */
export const shardPackageName = (name: string): string => `@distributed-insert/shard-${name}`

/** A field, as a column: lower-case, as PostgreSQL folds identifiers, at most its 63 characters. */
const FIELD_NAME = /^[a-z][a-z0-9_]{0,62}$/

const MODEL_NAME = /^[A-Z][A-Za-z0-9]{0,62}$/

const USAGE_HINT = "e.g. --field id:int --field title:text --field rating:real --field note:text?"

/**
 * The shard to write for `request`, or every reason it cannot be written, each a sentence: a
 * name that is no shard name, a keyword or taken; fields that are malformed, reserved, repeated
 * or of an unknown type, or none; a primary key that is no field, nullable, or neither int nor text.
 */
export const planShard = (request: ShardRequest, taken: TakenNames): Result.Result<ShardSpec, ReadonlyArray<string>> => {
  const problems: Array<string> = []
  const name = request.name ?? ""
  if (request.name === undefined) problems.push("no shard name: give it first, e.g. `pnpm new-shard reviews --field id:int ...`")
  else problems.push(...nameProblems(name, taken))

  const fields: Array<FieldSpec> = []
  if (request.fields.length === 0) problems.push(`no fields: give each with --field NAME:TYPE, ${USAGE_HINT}`)
  for (const given of request.fields) {
    const field = parseField(given)
    if (Result.isFailure(field)) {
      problems.push(field.failure)
      continue
    }
    if (fields.some((known) => known.name === field.success.name)) problems.push(`field ${field.success.name} is given twice`)
    else fields.push(field.success)
  }

  const primaryKey = request.primaryKey ?? fields[0]?.name ?? ""
  const key = fields.find((field) => field.name === primaryKey)
  if (fields.length > 0 && key === undefined) {
    problems.push(`the primary key ${primaryKey} is not one of the fields (${fields.map((field) => field.name).join(", ")})`)
  }
  if (key !== undefined && key.type === "real") problems.push(`the primary key ${primaryKey} is real; a key is an int or a text field`)
  if (key?.nullable === true) problems.push(`the primary key ${primaryKey} is nullable (${primaryKey}:${key.type}?); a key needs a value in every record`)

  const model = request.model ?? modelNameOf(name)
  if (request.name !== undefined) problems.push(...modelProblems(model, request.model !== undefined, name, taken))

  if (problems.length > 0) return Result.fail(problems)
  return Result.succeed({
    name,
    model,
    table: tableNameOf(name),
    exportName: camelCase(name),
    packageName: shardPackageName(name),
    packageDir: `packages/shard-${name}`,
    fields,
    primaryKey
  })
}

/** The table of shard `name`: its name with `-` as `_`, so that it needs no quoting. */
const tableNameOf = (name: string): string => name.replaceAll("-", "_")

const nameProblems = (name: string, taken: TakenNames): ReadonlyArray<string> => {
  if (!Schema.is(ShardName)(name)) {
    return [`${JSON.stringify(name)} is no shard name: 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter (it becomes a file name)`]
  }
  const problems: Array<string> = []
  const table = tableNameOf(name)
  const reserved = reservedWordProblem(name) ?? reservedWordProblem(table)
  if (reserved !== undefined) problems.push(`the shard name ${name} is ${reserved}; choose another name`)
  else if (!isFreeIdentifier(camelCase(name))) problems.push(`the shard name ${name} would export \`${camelCase(name)}\`, a name the generated code uses; choose another name`)
  const packageDir = `packages/shard-${name}`
  if (taken.packageDirs.has(packageDir)) problems.push(`${packageDir} already exists`)
  if (taken.packageNames.has(shardPackageName(name))) problems.push(`a package named ${shardPackageName(name)} already exists`)
  for (const key of new Set([name, table])) {
    const holder = holderOf(key, taken)
    if (holder !== undefined) problems.push(`shard ${holder} already answers to "${key}" (by its name, model or table); choose another name`)
  }
  return problems
}

const modelProblems = (model: string, given: boolean, name: string, taken: TakenNames): ReadonlyArray<string> => {
  if (!MODEL_NAME.test(model)) {
    return given
      ? [`--model ${JSON.stringify(model)} is no model name: letters and digits, starting with a capital, e.g. Review`]
      : [`the shard name ${name} suggests no model name; give one with --model, e.g. --model Review`]
  }
  const holder = model.toLowerCase() === tableNameOf(name) || model.toLowerCase() === name ? undefined : holderOf(model.toLowerCase(), taken)
  return holder === undefined ? [] : [`shard ${holder} already answers to "${model.toLowerCase()}" (by its name, model or table); give another model with --model`]
}

/**
 * The shard that already answers to `key`, as the CLI looks shards up: by name, model or table,
 * in any case (the registry refuses two shards answering to one key).
 */
const holderOf = (key: string, taken: TakenNames): string | undefined =>
  taken.shards.find((shard) => [shard.name, shard.model, shard.table].some((known) => known.toLowerCase() === key.toLowerCase()))?.name

/** `NAME:TYPE` or `NAME:TYPE?`. */
const parseField = (given: string): Result.Result<FieldSpec, string> => {
  const match = /^([^:]*):([^?]*)(\??)$/.exec(given)
  if (match === null) return Result.fail(`--field ${JSON.stringify(given)} is not NAME:TYPE; ${USAGE_HINT}`)
  const [, name = "", type = "", nullable = ""] = match
  if (!FIELD_NAME.test(name)) {
    return Result.fail(`field ${JSON.stringify(name)}: a field name is 1-63 characters of a-z, 0-9 and _, starting with a letter`)
  }
  const reserved = reservedWordProblem(name)
  if (reserved !== undefined) return Result.fail(`field ${name} is ${reserved}; choose another name`)
  if (!isFieldType(type)) return Result.fail(`field ${name}: unknown type ${JSON.stringify(type)}; the types are ${FIELD_TYPES.join(", ")} (add ? for a nullable field: ${name}:text?)`)
  return Result.succeed({ name, type, nullable: nullable === "?" })
}

const isFieldType = (type: string): type is FieldType => FIELD_TYPES.some((known) => known === type)
