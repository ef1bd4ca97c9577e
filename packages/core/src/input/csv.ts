import type { Readable } from "node:stream"
import { type CsvError, parse } from "csv-parse"
import type { SourceItem } from "../record-source.ts"
import { MAX_CHUNK_ITEMS, sourceChunks } from "./source-chunks.ts"

/** A row longer than this (a quote never closed swallows the rest of the file) stops the reading. */
export const DEFAULT_MAX_ROW_LENGTH = 64 * 1024 * 1024

export interface CsvOptions {
  /** The longest row, in characters, before reading stops (default {@link DEFAULT_MAX_ROW_LENGTH}). */
  readonly maxRowLength?: number
}

/**
 * Reads CSV whose first row names the columns: every other row becomes an object keyed by
 * those names, its values left as text (the shard's `validateText` decodes numbers). Parsing
 * is csv-parse's (RFC 4180: quoted fields may hold commas, quotes and line breaks; `\n` or
 * `\r\n` line ends); blank lines are skipped but counted, so each item carries the line its
 * row starts on.
 *
 * A row with the wrong number of fields becomes a `Malformed` item and reading goes on. A quote
 * never closed is one `Malformed` item that ends the reading: past it, where rows start can no
 * longer be known. Other stray quotes (`5" screen`, `"Bob"by`) are kept as text, since where
 * the field ends is still clear.
 */
export async function* readCsv(input: Readable, options: CsvOptions = {}): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const maxRowLength = options.maxRowLength ?? DEFAULT_MAX_ROW_LENGTH
  const rows = new CsvRows(maxRowLength)
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: maxRowLength,
    // An error would destroy the stream and, with it, the rows parsed but not yet read. Told
    // instead, with how many rows came before it, it is reported in its place.
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error !== undefined) rows.failAfter(parser.info.records, error)
    }
    // No `on_record` nor `info`: csv-parse then builds an info object per row, which triples
    // its time. Nor `skip_empty_lines`: blank lines come as `[""]` and are counted in `rows`.
  })
  // pipe() does not forward errors: an unreadable input must end the loop below, not hang it.
  input.on("error", (error) => parser.destroy(error))
  input.pipe(parser)
  const parsed: AsyncIterable<Array<string>> = parser
  try {
    for await (const fields of parsed) {
      rows.accept(fields)
      if (rows.stopped) break
      if (parser.readableLength === 0 || rows.pending >= MAX_CHUNK_ITEMS) yield* sourceChunks(rows.take())
    }
    rows.end()
  } finally {
    input.destroy()
  }
  yield* sourceChunks(rows.take())
}

/**
 * Turns csv-parse's rows, in order, into items on the lines they start on. Lines are counted
 * here from the rows themselves (a row spans one line plus the line breaks inside its quoted
 * fields), because csv-parse counts a `\r\n` inside a quoted field as two lines.
 */
class CsvRows {
  private header: ReadonlyArray<string> | null = null
  private items: Array<SourceItem> = []
  private rowsRead = 0
  /** The line the previous row (or blank line) ended on; 0 before any. */
  private lastLine = 0
  /** Where csv-parse gave up, if it did: after how many rows, and why. */
  private failure: { readonly afterRows: number; readonly error: CsvError } | null = null
  stopped = false

  private readonly maxRowLength: number

  constructor(maxRowLength: number) {
    this.maxRowLength = maxRowLength
  }

  get pending(): number {
    return this.items.length
  }

  /** The items built since the last call. */
  take(): Array<SourceItem> {
    const items = this.items
    this.items = []
    return items
  }

  accept(fields: ReadonlyArray<string>): void {
    this.rowsRead += 1
    const line = this.lastLine + 1
    this.lastLine = line + lineBreaksIn(fields)
    this.addRow(line, fields)
    if (this.failure?.afterRows === this.rowsRead) this.fail(this.failure.error)
  }

  /** csv-parse gave up on the row after the first `afterRows`: that row ends the reading, once they are read. */
  failAfter(afterRows: number, error: CsvError): void {
    if (this.failure === null) this.failure = { afterRows, error }
  }

  /** Every row was read: a failure after the last one is the last item. */
  end(): void {
    if (this.failure !== null && !this.stopped) this.fail(this.failure.error)
  }

  private addRow(line: number, fields: ReadonlyArray<string>): void {
    // A blank line; a one-column row `""` looks the same and is skipped alike.
    if (fields.length === 1 && fields[0] === "") return
    if (this.header === null) {
      this.header = fields
      const duplicate = fields.find((name, index) => fields.indexOf(name) !== index)
      if (duplicate !== undefined) this.stop(line, `the header names the column ${JSON.stringify(duplicate)} twice`)
      return
    }
    this.items.push(
      fields.length === this.header.length
        ? { _tag: "Record", line, value: recordOf(this.header, fields) }
        : { _tag: "Malformed", line, reason: `expected ${this.header.length} columns (${this.header.join(", ")}), got ${fields.length}` }
    )
  }

  private fail(error: CsvError): void {
    this.stop(this.lastLine + 1, `invalid CSV: ${explain(error, this.maxRowLength)}; reading stopped here`)
  }

  private stop(line: number, reason: string): void {
    this.items.push({ _tag: "Malformed", line, reason })
    this.stopped = true
  }
}

/** What went wrong, without csv-parse's line number, which can be wrong (see {@link CsvRows}). */
const explain = (error: CsvError, maxRowLength: number): string => {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quote opened in this row is never closed"
    case "CSV_MAX_RECORD_SIZE":
      return `this row is longer than ${maxRowLength} characters (a quote never closed?)`
    default:
      return error.message.replace(/ (at|on) line \d+/, "")
  }
}

/** The row as an object keyed by the header. */
const recordOf = (header: ReadonlyArray<string>, fields: ReadonlyArray<string>): Record<string, string> => {
  const record: Record<string, string> = {}
  for (let index = 0; index < header.length; index++) {
    const name = header[index] ?? ""
    const value = fields[index] ?? ""
    // Assigning `__proto__` would set the prototype instead: define it as a plain column.
    if (name === "__proto__") Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true })
    else record[name] = value
  }
  return record
}

/** How many lines a row spans beyond its first: the line breaks inside its quoted fields. */
const lineBreaksIn = (fields: ReadonlyArray<string>): number => {
  let breaks = 0
  for (const field of fields) {
    if (field.indexOf("\n") === -1 && field.indexOf("\r") === -1) continue
    for (let index = 0; index < field.length; index++) {
      const code = field.charCodeAt(index)
      // `\r\n` is one break, counted at its `\n`.
      if (code === 10 || (code === 13 && field.charCodeAt(index + 1) !== 10)) breaks += 1
    }
  }
  return breaks
}
