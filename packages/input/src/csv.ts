import { isUtf8 } from "node:buffer"
import { Readable } from "node:stream"
import { MAX_RECORD_LENGTH, MAX_RECORD_VALUES, MAX_SHOWN_TEXT, shownText } from "@distributed-insert/shard"
import { type CsvError, parse } from "csv-parse"
import type { SourceItem } from "./record-source.ts"
import { MAX_CHUNK_ITEMS, sourceChunks } from "./source-chunks.ts"
import { decodeStrictly, invalidUtf8Problem } from "./strict-utf8.ts"

export interface CsvOptions {
  /**
   * The longest row, in bytes (csv-parse splits bytes), before reading stops (default {@link MAX_RECORD_LENGTH}):
   * past it, a quote was probably never closed and swallows the rest of the file.
   */
  readonly maxRowLength?: number
}

/**
 * Reads CSV whose first row names the columns: every other row becomes an object keyed by
 * those names, its values left as text (the shard's `validateText` decodes numbers). Parsing
 * is csv-parse's (RFC 4180: quoted fields may hold commas, quotes and line breaks); blank
 * lines are skipped but counted, so each item carries the line its row starts on. Rows may end
 * in `\n`, `\r\n` or `\r`, each row its own way: a file whose header ends in `\n` and rows
 * in `\r\n` (or the reverse) is common once files are concatenated or edited on two systems.
 *
 * A row with the wrong number of fields, or holding bytes that are not UTF-8, becomes a
 * `Malformed` item showing its text, and reading goes on. A quote never closed is one
 * `Malformed` item that ends the reading, showing the text from its row on: past it, where
 * rows start can no longer be known.
 * Other stray quotes (`5" screen`, `"Bob"by`) are kept as text, since where the field ends is
 * still clear.
 */
export async function* readCsv(input: Readable, options: CsvOptions = {}): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const maxRowLength = options.maxRowLength ?? MAX_RECORD_LENGTH
  const tail = new RowTail()
  const rows = new CsvRows(maxRowLength, tail)
  const parser = parse({
    // csv-parse splits bytes, then decodes each field. Latin-1 maps each byte to one character,
    // so a field reaches `CsvRows` with its bytes intact, to be decoded as strict UTF-8 there;
    // csv-parse's own UTF-8 decoding would turn a byte that is not UTF-8 into U+FFFD for good.
    encoding: "latin1",
    // Every row is split at whichever line end it has; `\r\n` first, so it is one line end, not two.
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: maxRowLength,
    // An error would destroy the stream and, with it, the rows parsed but not yet read. Told
    // instead, with how many rows came before it, it is reported in its place.
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error === undefined || rows.failed) return
      rows.failAfter(parser.info.records, error)
      // Nothing after the failure is read: an endless row (`/dev/zero`) would otherwise be
      // skipped and skipped again forever. The parser still hands over the rows before it.
      bytes.unpipe(parser)
      bytes.destroy()
      process.nextTick(() => parser.end())
    }
    // No `on_record` nor `info`: csv-parse then builds an info object per row, which triples
    // its time. Nor `skip_empty_lines`: blank lines come as `[""]` and are counted in `rows`.
  })
  // pipe() does not forward errors: an unreadable input must end the loop below, not hang it.
  const bytes = Readable.from(tail.keeping(withoutByteOrderMark(input), () => rows.nextRowLine))
  bytes.on("error", (error) => parser.destroy(error))
  bytes.pipe(parser)
  const parsed: AsyncIterable<Array<string>> = parser
  try {
    for await (const fields of parsed) {
      rows.accept(fields)
      if (rows.stopped) break
      if (parser.readableLength === 0 || rows.pending >= MAX_CHUNK_ITEMS) yield* sourceChunks(rows.take())
    }
    rows.end()
  } finally {
    bytes.destroy()
    input.destroy()
  }
  yield* sourceChunks(rows.take())
}

const UTF8_BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf])

/**
 * The bytes of `input` without a leading UTF-8 byte order mark, which editors on Windows often
 * write and which is not data (csv-parse's `bom` option would also switch it back to UTF-8).
 */
async function* withoutByteOrderMark(input: Readable): AsyncGenerator<Buffer> {
  const chunks: AsyncIterable<unknown> = input
  let head: Buffer | null = Buffer.alloc(0)
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk instanceof Uint8Array ? Buffer.from(chunk) : notBytes(chunk)
    if (head === null) {
      yield bytes
      continue
    }
    head = Buffer.concat([head, bytes])
    if (head.length < UTF8_BYTE_ORDER_MARK.length && UTF8_BYTE_ORDER_MARK.subarray(0, head.length).equals(head)) continue
    yield head.subarray(0, UTF8_BYTE_ORDER_MARK.length).equals(UTF8_BYTE_ORDER_MARK) ? head.subarray(UTF8_BYTE_ORDER_MARK.length) : head
    head = null
  }
  if (head !== null && head.length > 0 && !UTF8_BYTE_ORDER_MARK.subarray(0, head.length).equals(head)) yield head
}

const notBytes = (chunk: unknown): never => {
  throw new TypeError(`an input stream must yield text or bytes, got ${chunk === null ? "null" : typeof chunk}`)
}

/**
 * A field with a character outside ASCII: csv-parse gives fields one character per byte (see
 * `encoding` above), so such a field is decoded again, as strict UTF-8. ASCII, the common case,
 * is the same text either way.
 */
const NOT_ASCII = /[\u0080-\u00FF]/

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
  private readonly tail: RowTail

  constructor(maxRowLength: number, tail: RowTail) {
    this.maxRowLength = maxRowLength
    this.tail = tail
  }

  /** The line the next row starts on, as far as the rows read so far tell. */
  get nextRowLine(): number {
    return this.lastLine + 1
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

  accept(latin1: ReadonlyArray<string>): void {
    let valid = true
    const fields = latin1.map((field) => {
      if (!NOT_ASCII.test(field)) return field
      const bytes = Buffer.from(field, "latin1")
      if (isUtf8(bytes)) return bytes.toString("utf8")
      valid = false
      return decodeStrictly(bytes)
    })
    this.rowsRead += 1
    const line = this.lastLine + 1
    this.lastLine = line + lineBreaksIn(fields)
    this.addRow(line, fields, valid)
    if (this.failure?.afterRows === this.rowsRead) this.fail(this.failure.error)
  }

  get failed(): boolean {
    return this.failure !== null
  }

  /** csv-parse gave up on the row after the first `afterRows`: that row ends the reading, once they are read. */
  failAfter(afterRows: number, error: CsvError): void {
    if (this.failure === null) this.failure = { afterRows, error }
  }

  /** Every row was read: a failure after the last one is the last item. */
  end(): void {
    if (this.failure !== null && !this.stopped) this.fail(this.failure.error)
  }

  /** `valid`: every field was UTF-8; else the bytes that were not are escaped in `fields` (see `decodeStrictly`). */
  private addRow(line: number, fields: ReadonlyArray<string>, valid: boolean): void {
    // A blank line; a one-column row `""` looks the same and is skipped alike.
    if (fields.length === 1 && fields[0] === "") return
    const encoding = valid ? undefined : invalidUtf8Problem(fields.join(","))
    if (this.header === null) {
      this.header = fields
      const seen = new Set<string>()
      const duplicate = fields.find((name) => seen.size === seen.add(name).size)
      if (encoding !== undefined) this.stop(line, `the header: ${encoding.reason}`, "invalid-utf8", fields)
      else if (fields.length > MAX_RECORD_VALUES) {
        const columns = `${fields.length.toLocaleString("en-US")} columns, more than the ${MAX_RECORD_VALUES.toLocaleString("en-US")} values a record may have`
        this.stop(line, `the header has ${columns}`, "too-large", fields)
      } else if (duplicate !== undefined) this.stop(line, `the header names the column ${JSON.stringify(duplicate)} twice`, "malformed", fields)
      return
    }
    if (encoding !== undefined) {
      this.items.push({ _tag: "Malformed", line, rule: "invalid-utf8", reason: encoding.reason, text: rowText(fields) })
    } else if (fields.length === this.header.length) {
      this.items.push({ _tag: "Record", line, value: recordOf(this.header, fields) })
    } else {
      this.items.push({
        _tag: "Malformed",
        line,
        rule: "malformed",
        reason: `expected ${this.header.length} columns (${this.header.join(", ")}), got ${fields.length}`,
        text: rowText(fields)
      })
    }
  }

  private fail(error: CsvError): void {
    const rule = error.code === "CSV_MAX_RECORD_SIZE" ? "too-long" : "malformed"
    const line = this.lastLine + 1
    // csv-parse hands over none of a row it gave up on: its text is the input's from its line on.
    this.stop(line, `invalid CSV: ${explain(error, this.maxRowLength)}; reading stopped here`, rule, this.tail.textFrom(line))
  }

  private stop(line: number, reason: string, rule: "malformed" | "too-long" | "too-large" | "invalid-utf8", shown?: ReadonlyArray<string> | string): void {
    const text = shown === undefined ? undefined : typeof shown === "string" ? shown : rowText(shown)
    this.items.push({ _tag: "Malformed", line, rule, reason, ...(text === undefined ? {} : { text }) })
    this.stopped = true
  }
}

const CR = 13
const LF = 10

/**
 * The input's bytes from the line the next row starts on: csv-parse keeps nothing of a row it
 * gives up on (a quote never closed, a row past the length limit), whose text the report shows
 * like any malformed row's. Lines are counted as `CsvRows` counts them (`\r\n`, `\n` and `\r`
 * each end one), so a row's line finds its first byte. Chunks wholly before the rows in flight
 * are dropped as they are read: what is kept is those rows, and at most one row of the length
 * limit, which csv-parse holds too.
 */
class RowTail {
  private chunks: Array<{ readonly bytes: Buffer; readonly line: number; readonly afterCR: boolean }> = []
  private line = 1
  private endsWithCR = false

  /** `input`, each chunk kept as it passes; `nextRowLine` says which lines can be let go. */
  async *keeping(input: AsyncIterable<Buffer>, nextRowLine: () => number): AsyncGenerator<Buffer> {
    for await (const bytes of input) {
      this.dropBefore(nextRowLine())
      this.chunks.push({ bytes, line: this.line, afterCR: this.endsWithCR })
      this.line += lineBreaksOf(bytes, this.endsWithCR)
      if (bytes.length > 0) this.endsWithCR = bytes[bytes.length - 1] === CR
      yield bytes
    }
  }

  /** Drops the chunks whose bytes all lie on lines before `line` (a chunk's last bytes are on the next one's first line). */
  private dropBefore(line: number): void {
    let drop = 0
    while ((this.chunks[drop + 1]?.line ?? line) < line) drop += 1
    if (drop > 0) this.chunks.splice(0, drop)
  }

  /** What the report shows of the text from the start of `line` on (see `shownText`). */
  textFrom(line: number): string {
    const first = this.chunks[0]
    if (first === undefined) return ""
    const bytes = Buffer.concat(this.chunks.map((chunk) => chunk.bytes))
    let at = first.line
    let index = 0
    let afterCR = first.afterCR
    for (; at < line && index < bytes.length; index++) {
      const byte = bytes[index]
      if (byte === CR || (byte === LF && !afterCR)) at += 1
      afterCR = byte === CR
    }
    // The `\n` of a `\r\n` ends the line before, not starts this one.
    if (afterCR && bytes[index] === LF) index += 1
    // Enough bytes for the characters shown, however many bytes each takes (up to 4 in UTF-8).
    return shownText(bytes.subarray(index, index + 4 * (MAX_SHOWN_TEXT + 1)).toString("utf8"))
  }
}

/** How many lines end in `bytes`: each `\r`, and each `\n` not right after one (`afterCR`: the byte before `bytes` was). */
const lineBreaksOf = (bytes: Buffer, afterCR: boolean): number => {
  let breaks = 0
  for (let at = bytes.indexOf(CR); at !== -1; at = bytes.indexOf(CR, at + 1)) breaks += 1
  for (let at = bytes.indexOf(LF); at !== -1; at = bytes.indexOf(LF, at + 1)) {
    if (at === 0 ? !afterCR : bytes[at - 1] !== CR) breaks += 1
  }
  return breaks
}

/**
 * A row's text, as the report shows it in place of a record it could not become: its fields
 * joined again, quoted where CSV needs it, which gives back the row as written in all but
 * needlessly quoted fields.
 */
const rowText = (fields: ReadonlyArray<string>): string => {
  const shown: Array<string> = []
  let length = 0
  for (const field of fields) {
    // A row may have thousands of fields: join no more than the report shows.
    if (length > MAX_SHOWN_TEXT) break
    const text = /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field
    shown.push(text)
    length += text.length + 1
  }
  return shownText(shown.join(","))
}

/** What went wrong, without csv-parse's line number, which can be wrong (see {@link CsvRows}). */
const explain = (error: CsvError, maxRowLength: number): string => {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return "a quote opened in this row is never closed"
    case "CSV_MAX_RECORD_SIZE":
      return `this row is longer than ${maxRowLength.toLocaleString("en-US")} bytes (a quote never closed?)`
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
