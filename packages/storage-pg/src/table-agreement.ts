import type { ColumnType, TableDefinition } from "@distributed-insert/shard"
import type pg from "pg"
import { ask } from "./pg-connection.ts"
import { quoteIdentifier as quote } from "./postgres-ddl.ts"

/** A column as PostgreSQL's catalog has it. */
export interface PgColumn {
  readonly name: string
  /** As `format_type` writes it: `bigint`, `double precision`, `character varying(20)`. */
  readonly type: string
  readonly notNull: boolean
  /** A default, an identity or a generated column: an insert may leave it out. */
  readonly hasDefault: boolean
  /** Its position in the primary key, from 1; 0 when it is not part of it. */
  readonly primaryKeyPosition: number
}

/** The columns of `schema.table`, in table order; none when there is no such table. */
export const pgColumnsOf = async (db: pg.ClientBase | pg.Pool, schema: string, table: string): Promise<ReadonlyArray<PgColumn>> => {
  const result = await ask<{ name: string; type: string; not_null: boolean; has_default: boolean; key_position: number }>(
    db,
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' AS has_default,
            coalesce(array_position(pk.conkey, a.attnum), 0) AS key_position
       FROM pg_attribute a
       LEFT JOIN pg_constraint pk ON pk.conrelid = a.attrelid AND pk.contype = 'p'
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [`${quote(schema)}.${quote(table)}`]
  )
  return result.rows.map((row) => ({
    name: row.name,
    type: row.type,
    notNull: row.not_null,
    hasDefault: row.has_default,
    primaryKeyPosition: row.key_position
  }))
}

/**
 * Whether a declared type stores every value of a column type as given, and if not, why. Exactly
 * `bigint` for integers (PostgreSQL's `integer` is 32 bits, `numeric` would read back as a double
 * anyway), `double precision` for reals (`real` is 32 bits; `numeric` loses -0), and `text` or
 * `varchar` for text (a length limit is a rule like a CHECK; `char(n)` pads with spaces).
 */
const typeProblem = (type: string, expected: ColumnType): string | undefined => {
  const fits = expected === "integer" ? type === "bigint" : expected === "real" ? type === "double precision" : type === "text" || type.startsWith("character varying")
  if (fits) return undefined
  const wanted = expected === "integer" ? "bigint" : expected === "real" ? "double precision" : "text"
  return `is declared ${type}; the field is ${expected}, which PostgreSQL stores exactly only as ${wanted}`
}

/**
 * Where a table as PostgreSQL has it (`columns`) disagrees with the table a shard's record
 * declares (`expected`), as sentences; empty when they agree. As storage-sqljs checks SQLite's:
 * every field has its column, in field order; each column's type stores its field's values
 * exactly; NOT NULL where the field never takes null, and only there; the primary key is the
 * shard's key, alone. A column that is no field is fine if an insert can leave it out.
 */
export const pgTableAgreementProblems = (columns: ReadonlyArray<PgColumn>, expected: TableDefinition): ReadonlyArray<string> => {
  if (columns.length === 0) return [`table ${expected.table} does not exist`]
  const problems: Array<string> = []
  const fields = new Set(expected.columns.map((column) => column.name))
  for (const field of expected.columns) {
    const column = columns.find((candidate) => candidate.name === field.name)
    if (column === undefined) {
      problems.push(`table ${expected.table}: column ${field.name} is missing: the record's field ${field.name} has no column`)
      continue
    }
    const type = typeProblem(column.type, field.type)
    if (type !== undefined) problems.push(`table ${expected.table}: column ${field.name} ${type}`)
    if (field.notNull && !column.notNull) problems.push(`table ${expected.table}: column ${field.name} takes NULL, but the field never does: declare it NOT NULL`)
    if (!field.notNull && column.notNull) {
      problems.push(`table ${expected.table}: column ${field.name} is NOT NULL, but the field takes null (Schema.NullOr): the database would refuse those records`)
    }
  }
  const tableOrder = columns.map((column) => column.name).filter((name) => fields.has(name))
  const fieldOrder = expected.columns.map((column) => column.name).filter((name) => tableOrder.includes(name))
  if (tableOrder.join("\u0000") !== fieldOrder.join("\u0000")) {
    problems.push(`table ${expected.table}: the columns are in the order ${tableOrder.join(", ")}, the record's fields in the order ${fieldOrder.join(", ")}`)
  }
  for (const column of columns) {
    if (fields.has(column.name) || !column.notNull || column.hasDefault) continue
    problems.push(`table ${expected.table}: column ${column.name} is NOT NULL without a default, and the record has no field ${column.name}: every insert would fail`)
  }
  const key = columns
    .filter((column) => column.primaryKeyPosition > 0)
    .sort((left, right) => left.primaryKeyPosition - right.primaryKeyPosition)
    .map((column) => column.name)
  if (key.length !== 1 || key[0] !== expected.primaryKey) {
    problems.push(`table ${expected.table}: the primary key is ${key.length === 0 ? "missing" : `(${key.join(", ")})`}; the shard's key is ${expected.primaryKey}`)
  }
  return problems
}
