import type { ColumnType, TableDefinition } from "@distributed-insert/shard"

/** One row of SQLite's `PRAGMA table_info`: a column as the database has it. */
export interface SqliteColumn {
  readonly name: string
  /** The declared type, as written in the DDL (`INTEGER`, `BIGINT`, `varchar(20)`, or empty). */
  readonly type: string
  readonly notNull: boolean
  readonly hasDefault: boolean
  /** Its position in the primary key, from 1; 0 when it is not part of it. */
  readonly primaryKeyPosition: number
}

/** SQLite's type affinities (https://sqlite.org/datatype3.html#type_affinity). */
export type Affinity = "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC"

/** The affinity SQLite gives a declared type, by its rules, in their order. */
export const affinityOf = (declaredType: string): Affinity => {
  const type = declaredType.toUpperCase()
  if (type.includes("INT")) return "INTEGER"
  if (type.includes("CHAR") || type.includes("CLOB") || type.includes("TEXT")) return "TEXT"
  if (type.includes("BLOB") || type === "") return "BLOB"
  if (type.includes("REAL") || type.includes("FLOA") || type.includes("DOUB")) return "REAL"
  return "NUMERIC"
}

/**
 * The affinity that stores each column type as given. Exactly this one: NUMERIC, say, would
 * store the double 1000.0 as the integer 1000, and TEXT a number as its text.
 */
const AFFINITY_OF: Readonly<Record<ColumnType, Affinity>> = { integer: "INTEGER", real: "REAL", text: "TEXT" }

/**
 * Where a table as SQLite has it (`columns`, from `PRAGMA table_info`) disagrees with the table
 * its shard's record declares (`expected`), as sentences; empty when they agree. Checked: every
 * field has its column, in field order; each column's affinity is its field type's; NOT NULL
 * where the field never takes null, and only there; the primary key is the shard's key, alone.
 * A column that is no field is fine if an insert can leave it out (it takes NULL or has a
 * default): a hand-written table may keep more than the record, such as a timestamp.
 */
export const tableAgreementProblems = (columns: ReadonlyArray<SqliteColumn>, expected: TableDefinition): ReadonlyArray<string> => {
  if (columns.length === 0) return [`table ${expected.table} does not exist after the migrations`]
  const problems: Array<string> = []
  const fields = new Set(expected.columns.map((column) => column.name))
  const keyColumns = columns.filter((column) => column.primaryKeyPosition > 0)
  // The rowid alias: a lone INTEGER PRIMARY KEY never holds NULL, NOT NULL declared or not.
  const rowidAlias = keyColumns.length === 1 && keyColumns[0]?.type.toUpperCase() === "INTEGER" ? keyColumns[0].name : undefined

  for (const field of expected.columns) {
    const column = columns.find((candidate) => candidate.name === field.name)
    if (column === undefined) {
      problems.push(`column ${field.name} is missing: the record's field ${field.name} has no column`)
      continue
    }
    const affinity = affinityOf(column.type)
    if (affinity !== AFFINITY_OF[field.type]) {
      problems.push(
        `column ${field.name} is declared ${JSON.stringify(column.type)}, of affinity ${affinity}; the field is ${field.type}, which needs affinity ${AFFINITY_OF[field.type]}`
      )
    }
    const notNull = column.notNull || column.name === rowidAlias
    if (field.notNull && !notNull) problems.push(`column ${field.name} takes NULL, but the field never does: declare it NOT NULL`)
    if (!field.notNull && notNull) problems.push(`column ${field.name} is NOT NULL, but the field takes null (Schema.NullOr): the database would refuse those records`)
  }

  const tableOrder = columns.map((column) => column.name).filter((name) => fields.has(name))
  const fieldOrder = expected.columns.map((column) => column.name).filter((name) => tableOrder.includes(name))
  if (tableOrder.join("\u0000") !== fieldOrder.join("\u0000")) {
    problems.push(`the columns are in the order ${tableOrder.join(", ")}, the record's fields in the order ${fieldOrder.join(", ")}`)
  }

  for (const column of columns) {
    if (fields.has(column.name) || !column.notNull || column.hasDefault || column.name === rowidAlias) continue
    problems.push(`column ${column.name} is NOT NULL without a default, and the record has no field ${column.name}: every insert would fail`)
  }

  const key = [...keyColumns].sort((left, right) => left.primaryKeyPosition - right.primaryKeyPosition).map((column) => column.name)
  if (key.length !== 1 || key[0] !== expected.primaryKey) {
    problems.push(`the primary key is ${key.length === 0 ? "missing" : `(${key.join(", ")})`}; the shard's key is ${expected.primaryKey}`)
  }
  return problems
}
