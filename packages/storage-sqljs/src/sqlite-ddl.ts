import type { ColumnDefinition, ColumnType, Migration, TableDefinition } from "@distributed-insert/shard"

/**
 * SQLite's keywords (https://sqlite.org/lang_keywords.html, SQLite 3.46). An identifier spelled
 * like one is quoted; SQLite accepts some of them bare, but which ones depends on the statement.
 */
export const SQLITE_KEYWORDS: ReadonlySet<string> = new Set(
  (
    "ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE " +
    "CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME " +
    "CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE " +
    "EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP " +
    "GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN " +
    "KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER " +
    "OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX " +
    "RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN " +
    "TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT"
  ).split(" ")
)

/** The SQL a migration runs in SQLite: its own, or its `createTable` written in SQLite's dialect. */
export const sqliteMigrationSql = (migration: Migration): string =>
  migration.createTable === undefined ? migration.sql : sqliteCreateTable(migration.createTable)

/**
 * `CREATE TABLE` for `definition`, written as a person would: a name is quoted only when it must
 * be, so the seed's derived tables read exactly as its hand-written DDL did, e.g.
 * `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)`.
 */
export const sqliteCreateTable = (definition: TableDefinition): string =>
  `CREATE TABLE ${sqliteIdentifier(definition.table)} (${definition.columns.map((column) => columnSql(column, column.name === definition.primaryKey)).join(", ")})`

const columnSql = (column: ColumnDefinition, isKey: boolean): string => {
  const type = SQLITE_TYPES[column.type]
  const name = sqliteIdentifier(column.name)
  // An INTEGER PRIMARY KEY is the table's rowid, which never holds NULL (a NULL given to it is
  // replaced by a new rowid: validation keeps NULL from reaching it, a key field being NOT NULL).
  // NOT NULL is left out, as the seed's DDL has it, so that derived tables are the seed's own.
  if (isKey && column.type === "integer") return `${name} ${type} PRIMARY KEY`
  // Any other key needs its NOT NULL said: SQLite lets a NULL into a PRIMARY KEY that is no rowid.
  if (isKey) return `${name} ${type} NOT NULL PRIMARY KEY`
  return column.notNull ? `${name} ${type} NOT NULL` : `${name} ${type}`
}

/** SQLite's declared type of each column type: each has the affinity of its name. */
export const SQLITE_TYPES: Readonly<Record<ColumnType, string>> = { integer: "INTEGER", real: "REAL", text: "TEXT" }

/** `name` as an SQLite identifier: bare when it is a plain word and no keyword, else double-quoted. */
export const sqliteIdentifier = (name: string): string =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !SQLITE_KEYWORDS.has(name.toUpperCase()) ? name : `"${name.replaceAll('"', '""')}"`
