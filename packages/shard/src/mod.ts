/**
 * The shard plugin contract: a shard package is one call to `defineShard` (its model, record
 * schema, rules, migrations or the table derived from its schema, sample data and record
 * generators). Everything else in the system sees the resulting `Shard`. Depends on `effect` only.
 *
 * @module
 */
export { checkGenerators } from "./check-generators.ts"
export { inexactNumber, mayBeInexactNumberAt } from "./exact-number.ts"
export type { AppliedMigration, CreateTableMigration, Migration, SqlDialects, SqlMigration } from "./migration.ts"
export { type Random, seededRandom } from "./random.ts"
export type { RecordIssue } from "./record-issue.ts"
export {
  MAX_NESTING_DEPTH,
  MAX_RECORD_LENGTH,
  MAX_RECORD_VALUES,
  MAX_SHOWN_TEXT,
  type RecordProblem,
  shownStart,
  shownText,
  tooDeep,
  tooLarge,
  type UnreadableRule,
  valueOutOfBounds
} from "./record-limits.ts"
export type { Rule, RuleBuilder, RuleSpec } from "./rule.ts"
export {
  defineShard,
  type RecordGenerators,
  type RecordShape,
  type Shard,
  type ShardConfig,
  type ShardDefinition,
  type Validators
} from "./shard.ts"
export { ShardName } from "./shard-name.ts"
export type { SqlValue } from "./sql-value.ts"
export {
  type ColumnDefinition,
  type ColumnType,
  columnDefinitionsOf,
  type TableDefinition,
  tableDefinitionOf
} from "./table-definition.ts"
export type { TextRule } from "./text-rule.ts"
export { MAX_ISSUES, type Row, type Validation, type Validator } from "./validation.ts"
