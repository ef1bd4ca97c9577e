import { SQLITE_KEYWORDS } from "@distributed-insert/storage-sqljs/sqlite-ddl"

/**
 * PostgreSQL's reserved key words (https://www.postgresql.org/docs/current/sql-keywords-appendix.html,
 * "reserved" and "reserved (can be function or type)"): a table or column named like one would
 * need quoting in every hand-written query once a PostgreSQL backend stores the shard.
 */
const POSTGRESQL_RESERVED = (
  "ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC AUTHORIZATION BINARY BOTH CASE CAST CHECK COLLATE COLLATION " +
  "COLUMN CONCURRENTLY CONSTRAINT CREATE CROSS CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME " +
  "CURRENT_TIMESTAMP CURRENT_USER DEFAULT DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FREEZE " +
  "FROM FULL GRANT GROUP HAVING ILIKE IN INITIALLY INNER INTERSECT INTO IS ISNULL JOIN LATERAL LEADING LEFT LIKE LIMIT " +
  "LOCALTIME LOCALTIMESTAMP NATURAL NOT NOTNULL NULL OFFSET ON ONLY OR ORDER OUTER OVERLAPS PLACING PRIMARY REFERENCES " +
  "RETURNING RIGHT SELECT SESSION_USER SIMILAR SOME SYMMETRIC SYSTEM_USER TABLE TABLESAMPLE THEN TO TRAILING TRUE UNION " +
  "UNIQUE USER USING VARIADIC VERBOSE WHEN WHERE WINDOW WITH"
).split(" ")

/** Words no table or column of a scaffolded shard may be: SQLite's keywords and PostgreSQL's reserved ones. */
export const SQL_KEYWORDS: ReadonlySet<string> = new Set([...SQLITE_KEYWORDS, ...POSTGRESQL_RESERVED])

/**
 * JavaScript's reserved words (and those of strict mode and modules): the generated code names
 * a constant after the shard and a parameter after a field, which cannot be one of these.
 */
const JAVASCRIPT_RESERVED: ReadonlySet<string> = new Set(
  (
    "arguments await break case catch class const continue debugger default delete do else enum eval export extends false " +
    "finally for function if implements import in instanceof interface let new null package private protected public " +
    "return static super switch this throw true try typeof var void while with yield"
  ).split(" ")
)

/**
 * Names the generated code already uses beside the shard's own: its imports, and the list the
 * CLI's registration file declares. A shard's constant cannot take one of them.
 */
const GENERATED_CODE_NAMES: ReadonlySet<string> = new Set(["defineShard", "Random", "Schema", "Shard", "addedShards"])

/** Why `word` (a table, column or shard name, any case) cannot be used, or undefined. */
export const reservedWordProblem = (word: string): string | undefined => {
  if (SQL_KEYWORDS.has(word.toUpperCase())) return "an SQL keyword (SQLite's, or reserved in PostgreSQL)"
  if (JAVASCRIPT_RESERVED.has(word)) return "a reserved word of JavaScript"
  return undefined
}

/** Whether the generated code may name a constant `identifier`. */
export const isFreeIdentifier = (identifier: string): boolean => !JAVASCRIPT_RESERVED.has(identifier) && !GENERATED_CODE_NAMES.has(identifier)

/** The words of a snake- or kebab-case name: `order-line_items` is order, line, items. */
const wordsOf = (name: string): ReadonlyArray<string> => name.split(/[-_]+/).filter((word) => word !== "")

const capitalized = (word: string): string => `${word.charAt(0).toUpperCase()}${word.slice(1)}`

/** `order-lines` → `orderLines`: the constant a shard package exports. */
export const camelCase = (name: string): string => wordsOf(name).map((word, index) => (index === 0 ? word : capitalized(word))).join("")

/** `product_id` → `Product id`: a field in a message. */
export const humanized = (name: string): string => capitalized(wordsOf(name).join(" "))

/** `product_id` → `product-id`: a field in a rule's name. */
export const kebabCase = (name: string): string => wordsOf(name).join("-")

/**
 * The model a shard's name suggests: its words in PascalCase, the last one made singular by
 * English's common endings (`reviews` → `Review`, `categories` → `Category`, `order-lines` →
 * `OrderLine`, `boxes` → `Box`). A name these rules get wrong takes `--model`.
 */
export const modelNameOf = (name: string): string => {
  const words = wordsOf(name)
  const last = words.at(-1) ?? ""
  return [...words.slice(0, -1), singular(last)].map(capitalized).join("")
}

const singular = (word: string): string => {
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`
  if (/(?:ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2)
  if (/[^su]s$/.test(word)) return word.slice(0, -1)
  return word
}
