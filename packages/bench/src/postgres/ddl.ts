import { type ColumnDefinition, type ColumnType, type Shard, tableDefinitionOf } from "@distributed-insert/shard"
import { Result } from "effect"

/**
 * PostgreSQL's type for each engine-neutral column type, as `packages/shard` defines them:
 * `integer` is a safe JavaScript integer, which needs `bigint` (PostgreSQL's `integer` is 32 bits).
 */
const POSTGRES_TYPES: Readonly<Record<ColumnType, string>> = { integer: "bigint", real: "double precision", text: "text" }

/** Always double-quoted: correct whatever the name (a keyword, upper case), and the same table as a bare lower-case name. */
export const postgresIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`

/**
 * `CREATE TABLE` for a shard in PostgreSQL, derived from its record's Schema (`tableDefinitionOf`)
 * with the types the PostgreSQL engine gives them (bigint, double precision, text, NOT NULL, a
 * PRIMARY KEY): what the baselines create, so that they load the same table `populate` migrates.
 */
export const postgresCreateTableSql = (shard: Shard): string => {
  const definition = tableDefinitionOf(shard)
  if (Result.isFailure(definition)) throw new Error(`shard ${shard.name} has no table PostgreSQL can create: ${definition.failure}`)
  const { table, columns, primaryKey } = definition.success
  return `CREATE TABLE ${postgresIdentifier(table)} (${columns.map((column) => columnSql(column, column.name === primaryKey)).join(", ")})`
}

const columnSql = (column: ColumnDefinition, isKey: boolean): string => {
  const declared = `${postgresIdentifier(column.name)} ${POSTGRES_TYPES[column.type]}`
  // A PRIMARY KEY is NOT NULL in PostgreSQL already.
  if (isKey) return `${declared} PRIMARY KEY`
  return column.notNull ? `${declared} NOT NULL` : declared
}

/** `INSERT INTO "t" ("a", "b") VALUES ($1, $2)`: one row of the shard, parameters in column order. */
export const postgresInsertSql = (shard: Shard): string =>
  `INSERT INTO ${postgresIdentifier(shard.table)} (${shard.columns.map(postgresIdentifier).join(", ")}) VALUES (${shard.columns.map((_, index) => `$${index + 1}`).join(", ")})`
