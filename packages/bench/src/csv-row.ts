import type { Row, SqlValue } from "@distributed-insert/shard"

/**
 * A row as one CSV line (RFC 4180) for the sqlite3 shell's `.import`: text always quoted, so
 * commas, quotes and newlines in it survive; numbers bare, so the column affinity stores them
 * as numbers.
 */
export const csvLine = (row: Row): string => `${row.map(csvField).join(",")}\n`

const csvField = (value: SqlValue): string => {
  if (typeof value === "number") return String(value)
  if (typeof value === "string") return `"${value.replaceAll('"', '""')}"`
  // `.import` reads an empty field as '' and has no notation for blobs: refuse rather than alter.
  throw new Error(`a ${value === null ? "NULL" : "BLOB"} value cannot be written for the sqlite3 shell's .import`)
}
