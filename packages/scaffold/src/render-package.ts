import { camelCase, humanized, isFreeIdentifier, kebabCase } from "./names.ts"
import type { FieldSpec, ShardSpec } from "./shard-spec.ts"

/** A file of the generated package: its path inside the package, `/`-separated, and its text. */
export interface GeneratedFile {
  readonly path: string
  readonly text: string
}

/**
 * The example rule the package starts with, on one field: a number must be positive, a text
 * must not be empty. On the first field that is neither the key nor nullable (a rule on a
 * nullable field must say what null means, which is the author's call), else on the key.
 */
export interface ExampleRule {
  readonly field: FieldSpec
  readonly name: string
  readonly message: string
}

export const exampleRuleOf = (spec: ShardSpec): ExampleRule => {
  const field =
    spec.fields.find((candidate) => candidate.name !== spec.primaryKey && !candidate.nullable) ??
    spec.fields.find((candidate) => candidate.name === spec.primaryKey) ??
    spec.fields[0]
  if (field === undefined) throw new Error(`shard ${spec.name} has no fields`)
  return field.type === "text"
    ? { field, name: `${kebabCase(field.name)}-required`, message: `${humanized(field.name)} cannot be empty` }
    : { field, name: `${kebabCase(field.name)}-positive`, message: `${humanized(field.name)} must be positive` }
}

/** How many valid records the sample starts with; one invalid record per rule follows them. */
export const VALID_SAMPLE_RECORDS = 3

/**
 * Each sample record's outcome, as `shardConformance` takes them: `null` for the valid ones, the
 * rule's message for the one that breaks it.
 */
export const sampleOutcomesOf = (spec: ShardSpec): ReadonlyArray<ReadonlyArray<string> | null> => [
  ...Array.from({ length: VALID_SAMPLE_RECORDS }, () => null),
  [exampleRuleOf(spec).message]
]

/** The files of the shard package `spec`, following the seed's shard packages (packages/shard-orders). */
export const renderPackage = (spec: ShardSpec): ReadonlyArray<GeneratedFile> => [
  { path: "package.json", text: `${JSON.stringify(packageJsonOf(spec), null, 2)}\n` },
  { path: "tsconfig.json", text: `{\n  "extends": "../../tsconfig.base.json",\n  "include": ["src"]\n}\n` },
  { path: "vitest.config.ts", text: `export { default } from "../../vitest.shared.ts"\n` },
  { path: "src/mod.ts", text: modOf(spec) },
  { path: `src/${spec.name}.ts`, text: declarationOf(spec) },
  { path: `src/${spec.name}.test.ts`, text: testOf(spec) }
]

/** As packages/shard-orders/package.json, but for its name and description (a test holds them together). */
export const packageJsonOf = (spec: ShardSpec) => ({
  name: spec.packageName,
  version: "0.1.0",
  private: true,
  description: `The ${spec.name} shard: its model, rules, table and sample data.`,
  type: "module",
  exports: { ".": { source: "./src/mod.ts", default: "./dist/mod.js" } },
  files: ["dist"],
  scripts: { build: "tsup src/mod.ts --format esm --clean --silent", test: "vitest run", typecheck: "tsc -p tsconfig.json" },
  dependencies: { "@distributed-insert/shard": "workspace:*", effect: "catalog:" },
  devDependencies: {
    "@effect/vitest": "catalog:",
    "@types/node": "catalog:",
    "fast-check": "catalog:",
    tsup: "catalog:",
    typescript: "catalog:",
    vitest: "catalog:"
  }
})

const modOf = (spec: ShardSpec): string => `/**
 * The \`${spec.name}\` shard plugin: the \`${spec.model}\` model in its own \`${spec.name}.db\`.
 *
 * @module
 */
export { ${spec.exportName} } from "./${spec.name}.ts"
`

const testOf = (spec: ShardSpec): string => `import { shardConformance } from "@distributed-insert/shard/testing"
import { ${spec.exportName} } from "./mod.ts"

shardConformance(${spec.exportName}, {
  // One outcome per sample record, in order: null when it is accepted, else its messages in order.
  sampleOutcomes: ${JSON.stringify(sampleOutcomesOf(spec)).replaceAll(",", ", ")}
})
`

const SCHEMA_OF: Readonly<Record<FieldSpec["type"], string>> = { int: "Schema.Int", real: "Schema.Finite", text: "Schema.String" }

const schemaOf = (field: FieldSpec): string => (field.nullable ? `Schema.NullOr(${SCHEMA_OF[field.type]})` : SCHEMA_OF[field.type])

/** A field's value in sample record `index` (from 1): valid, or breaking the example rule. */
const sampleValue = (spec: ShardSpec, field: FieldSpec, index: number, breaksRule: boolean): string => {
  if (breaksRule) return field.type === "text" ? `""` : field.type === "int" ? "0" : "-0.5"
  // The second record shows a nullable field's null.
  if (field.nullable && index === 2) return "null"
  if (field.name === spec.primaryKey) return field.type === "int" ? String(index) : JSON.stringify(`${kebabCase(field.name)}-${index}`)
  return field.type === "text" ? JSON.stringify(`${humanized(field.name)} ${index}`) : field.type === "int" ? String(index) : `${index}.5`
}

/** A field's value in the valid generator, from `id` and `random`. */
const generatedValue = (spec: ShardSpec, field: FieldSpec): string => {
  const value =
    field.name === spec.primaryKey
      ? field.type === "int"
        ? "id"
        : `\`${kebabCase(field.name)}-\${id}\``
      : field.type === "text"
        ? `\`${humanized(field.name)} \${id}\``
        : field.type === "int"
          ? "random.int(1, 1000)"
          : "random.int(1, 100_000) / 100"
  return field.nullable ? `random.next() < 0.2 ? null : ${value}` : value
}

/** A property of an object literal, in shorthand when the value is a variable of the same name (the key's `id`). */
const propertyOf = (name: string, value: string): string => (name === value ? name : `${name}: ${value}`)

/** A value that breaks the example rule, from `random`. */
const breakingValue = (field: FieldSpec): string =>
  field.type === "text" ? `""` : field.type === "int" ? "random.int(-1000, 0)" : "random.int(-100_000, 0) / 100"

const declarationOf = (spec: ShardSpec): string => {
  const rule = exampleRuleOf(spec)
  const valid = `valid${spec.model}`
  // Named after its field where that makes an identifier: `new_` is a fine column, `new` no parameter.
  const parameter = isFreeIdentifier(camelCase(rule.field.name)) ? camelCase(rule.field.name) : `${camelCase(rule.field.name)}Value`
  const holds = rule.field.type === "text" ? `(${parameter}) => ${parameter}.length > 0` : `(${parameter}) => ${parameter} > 0`
  const sampleRecord = (index: number, breaksRule: boolean) =>
    `{ ${spec.fields.map((field) => `${field.name}: ${sampleValue(spec, field, index, breaksRule && field === rule.field)}`).join(", ")} }`
  const sample = [
    ...Array.from({ length: VALID_SAMPLE_RECORDS }, (_, index) => sampleRecord(index + 1, false)),
    sampleRecord(VALID_SAMPLE_RECORDS + 1, true)
  ]
  return `import { defineShard, type Random } from "@distributed-insert/shard"
import { Schema } from "effect"

/**
 * A valid ${spec.model}, for \`generate\`: its key comes from \`id\` (1, 2, 3, ...), and \`random\` is
 * the only source of randomness, so that generated data is reproducible from a seed. Make its
 * values plausible for the model.
 */
const ${valid} = (id: number, random: Random) => ({
${spec.fields.map((field) => `  ${propertyOf(field.name, generatedValue(spec, field))}`).join(",\n")}
})

/**
 * The \`${spec.model}\` model, in its own \`${spec.name}.db\`. Written by \`pnpm new-shard\`: make the
 * record's fields, the rules, the sample and the generators your model's (see README.md, "Adding
 * a shard"). Its table is derived from \`record\`: each field a column of its type, NOT NULL
 * unless \`Schema.NullOr\`, \`${spec.primaryKey}\` the primary key. To write its SQL yourself, add \`migrations\`.
 */
export const ${spec.exportName} = defineShard({
  name: "${spec.name}",
  model: "${spec.model}",
  table: "${spec.table}",
  record: Schema.Struct({
${spec.fields.map((field) => `    ${field.name}: ${schemaOf(field)}`).join(",\n")}
  }),
  primaryKey: "${spec.primaryKey}",
  // Checked once every field has its type, all of them, in this order.
  rules: (rule) => [
    rule({ name: "${rule.name}", message: "${rule.message}", fields: ["${rule.field.name}"], holds: ${holds} })
  ],
  // What \`populate\` loads without --input: valid records, then one breaking each rule (their
  // outcomes are in ${spec.name}.test.ts).
  sample: [
${sample.map((record) => `    ${record}`).join(",\n")}
  ],
  generators: {
    valid: ${valid},
    // For each rule, records that break it and no other.
    invalid: {
      "${rule.name}": (id, random) => ({ ...${valid}(id, random), ${rule.field.name}: ${breakingValue(rule.field)} })
    }
  }
})
`
}
