import type { ColumnDefinition, ColumnType, Migration, TableDefinition } from "@distributed-insert/shard"

/**
 * PostgreSQL's keywords that cannot stand bare as a column or table name everywhere: the
 * reserved ones and those reserved in some contexts (`pg_get_keywords()` with `catcode` other
 * than `U`, in PostgreSQL 15, with those later versions added). An identifier spelled like one is quoted; so is any that is not all lower case,
 * since PostgreSQL folds a bare name to lower case.
 */
export const POSTGRES_KEYWORDS: ReadonlySet<string> = new Set(
  (
    "all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast " +
    "char character check coalesce collate collation column concurrently constraint create cross current_catalog " +
    "current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable " +
    "desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group " +
    "grouping having ilike in initially inner inout int integer intersect interval into is isnull join json_array " +
    "json_arrayagg json_object json_objectagg lateral leading least left like limit localtime localtimestamp merge_action " +
    "national natural nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps " +
    "overlay placing position precision primary real references returning right row select session_user setof similar " +
    "smallint some substring symmetric system_user table tablesample then time timestamp to trailing treat trim true " +
    "union unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement " +
    "xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable"
  ).split(" ")
)

/** PostgreSQL's type of each column type: 64-bit integers (its `integer` is 32 bits), doubles, text. */
export const POSTGRES_TYPES: Readonly<Record<ColumnType, string>> = { integer: "bigint", real: "double precision", text: "text" }

/**
 * The SQL a migration runs in PostgreSQL: a `createTable` written in PostgreSQL's dialect; a
 * migration's own PostgreSQL DDL (`dialects.postgres`) when it gives one; else its `sql` as
 * written, for DDL both engines read alike (see `SqlMigration.dialects`).
 */
export const postgresMigrationSql = (migration: Migration): string =>
  migration.createTable !== undefined ? postgresCreateTable(migration.createTable) : (migration.dialects?.postgres ?? migration.sql)

/**
 * `CREATE TABLE` for `definition`, unqualified (a migration runs with the shard database's schema
 * as its search path), names quoted only where they must be, e.g.
 * `CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL)`.
 * The primary key is NOT NULL by being one.
 */
export const postgresCreateTable = (definition: TableDefinition): string =>
  `CREATE TABLE ${postgresIdentifier(definition.table)} (${definition.columns.map((column) => columnSql(column, column.name === definition.primaryKey)).join(", ")})`

const columnSql = (column: ColumnDefinition, isKey: boolean): string => {
  const declared = `${postgresIdentifier(column.name)} ${POSTGRES_TYPES[column.type]}`
  if (isKey) return `${declared} PRIMARY KEY`
  return column.notNull ? `${declared} NOT NULL` : declared
}

/** `name` as a PostgreSQL identifier: bare when it is a lower-case plain word and no keyword, else double-quoted. */
export const postgresIdentifier = (name: string): string =>
  /^[a-z_][a-z0-9_]*$/.test(name) && !POSTGRES_KEYWORDS.has(name) ? name : quoteIdentifier(name)

/** `name` double-quoted, as every identifier this package writes into its own statements is. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`
