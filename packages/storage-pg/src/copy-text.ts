import type { SqlValue } from "@distributed-insert/shard"

/**
 * PostgreSQL's COPY text format (https://www.postgresql.org/docs/15/sql-copy.html, "Text
 * Format"), written by hand because it is the hot path: one line per row, columns separated by a
 * tab, `\N` for NULL, and a backslash, newline, carriage return or tab inside a value escaped as
 * `\\`, `\n`, `\r`, `\t`. Nothing else needs escaping: every other character, `\.` included once
 * its backslash is doubled, is taken as it is (the client encoding is UTF8).
 *
 * Numbers are written as JavaScript's shortest round-trip form, which PostgreSQL's float8 and
 * int8 input parse back to the same value (a safe integer never takes the exponent form); -0 is
 * written `-0`, which `String` would turn into `0`. Bytes are written in bytea's hex form.
 */
const NEEDS_ESCAPE = /[\\\n\r\t]/

/** A value as one COPY text field. */
export const copyField = (value: SqlValue): string => {
  if (value === null) return "\\N"
  if (typeof value === "number") return numberText(value)
  if (typeof value === "string") return NEEDS_ESCAPE.test(value) ? escapeText(value) : value
  // bytea's hex input `\x...`, its backslash doubled for COPY.
  return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`
}

/** A number as PostgreSQL's numeric input reads it back exactly. */
export const numberText = (value: number): string => (Object.is(value, -0) ? "-0" : String(value))

/** A value as a text parameter of an ordinary statement: no COPY escaping, bytes in hex. */
export const parameterText = (value: SqlValue): string | null => {
  if (value === null) return null
  if (typeof value === "number") return numberText(value)
  if (typeof value === "string") return value
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`
}

const escapeText = (value: string): string => {
  let escaped = ""
  let start = 0
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    const replacement = code === 92 ? "\\\\" : code === 10 ? "\\n" : code === 13 ? "\\r" : code === 9 ? "\\t" : undefined
    if (replacement === undefined) continue
    escaped += value.slice(start, index) + replacement
    start = index + 1
  }
  return escaped + value.slice(start)
}

// With the `u` flag a surrogate pair is one code point, outside this range: only lone ones match.
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u

/**
 * Why PostgreSQL cannot take `value` as text at all, or undefined when it can: `text` has no
 * NUL character, and UTF-8 has no encoding for a lone UTF-16 surrogate (Node would send U+FFFD
 * in its place, storing something else than what was given). Validation refuses both through
 * the engine's text rules; this guards the engine against a caller that did not validate.
 */
export const unstorableText = (value: SqlValue): string | undefined => {
  if (typeof value !== "string") return undefined
  if (value.includes("\u0000")) return "PostgreSQL cannot store text containing the NUL character (U+0000)"
  if (UNPAIRED_SURROGATE.test(value)) return "PostgreSQL cannot store text containing an unpaired UTF-16 surrogate (it has no UTF-8 encoding)"
  return undefined
}

/**
 * The COPY text of `rows`, leaving out the rows whose index `skip` says, as UTF-8 bytes; with
 * `ordinal`, each line starts with the row's index in `rows` (the staging table's first column).
 */
export const copyText = (
  rows: ReadonlyArray<ReadonlyArray<SqlValue>>,
  width: number,
  skip: (index: number) => boolean,
  ordinal: boolean
): Buffer => {
  let text = ""
  for (let index = 0; index < rows.length; index++) {
    if (skip(index)) continue
    const row = rows[index] ?? []
    let line = ordinal ? `${index}\t` : ""
    for (let column = 0; column < width; column++) line += column === 0 ? copyField(row[column] ?? null) : `\t${copyField(row[column] ?? null)}`
    text += `${line}\n`
  }
  return Buffer.from(text, "utf8")
}
