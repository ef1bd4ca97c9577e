import type { Readable } from "node:stream"
import { MAX_RECORD_LENGTH, shownStart } from "@distributed-insert/shard"
import { jsonItem } from "./json-item.ts"
import type { SourceItem } from "./record-source.ts"
import { sourceChunks } from "./source-chunks.ts"
import { StrictUtf8Decoder } from "./strict-utf8.ts"
import { textChunks } from "./text-chunks.ts"

export interface NdjsonOptions {
  /** The longest line, in characters, before reading stops (default {@link MAX_RECORD_LENGTH}). */
  readonly maxLineLength?: number
}

/**
 * Reads NDJSON (JSON Lines): one JSON value per line, `\n` or `\r\n` line ends, the last line
 * with or without one. Blank lines are skipped but still counted, so every item carries the
 * line it is on in the file. A line that is not JSON, or not UTF-8, becomes a `Malformed` item
 * and reading goes on. A line longer than `maxLineLength` (a file that is not NDJSON, or
 * `/dev/zero`) is one `Malformed` item that ends the reading, rather than be held until memory
 * runs out: the same bound as a JSON element or a CSV row.
 *
 * Streams: it holds one chunk of the input plus the line that straddles two chunks, whatever
 * the size of the input.
 */
export async function* readNdjson(input: Readable, options: NdjsonOptions = {}): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const maxLineLength = options.maxLineLength ?? MAX_RECORD_LENGTH
  const decoder = new StrictUtf8Decoder()
  // The start of a line whose end has not arrived yet, in pieces so a very long line is
  // joined once rather than copied again with every chunk.
  let partial: Array<string> = []
  let partialLength = 0
  let line = 0
  for await (const text of textChunks(input, decoder)) {
    const checkEncoding = decoder.sawInvalidBytes
    const items: Array<SourceItem> = []
    let stopped = false
    let start = 0
    let newline = text.indexOf("\n")
    if (newline !== -1 && partial.length > 0) {
      line += 1
      if (partialLength + newline > maxLineLength) {
        items.push(tooLong(line, maxLineLength, partial))
        stopped = true
      } else {
        partial.push(text.slice(0, newline))
        const first = partial.join("")
        partial = []
        partialLength = 0
        if (!isBlank(first, 0, first.length)) items.push(jsonItem(first, line, checkEncoding))
        start = newline + 1
        newline = text.indexOf("\n", start)
      }
    }
    while (!stopped && newline !== -1) {
      line += 1
      if (newline - start > maxLineLength) {
        items.push(tooLong(line, maxLineLength, [text.slice(start, newline)]))
        stopped = true
        break
      }
      // JSON.parse ignores the `\r` of a `\r\n` as trailing whitespace, so it needs no trimming.
      if (!isBlank(text, start, newline)) items.push(jsonItem(text.slice(start, newline), line, checkEncoding))
      start = newline + 1
      newline = text.indexOf("\n", start)
    }
    if (!stopped && start < text.length) {
      partial.push(start === 0 ? text : text.slice(start))
      partialLength += text.length - start
      if (partialLength > maxLineLength) {
        items.push(tooLong(line + 1, maxLineLength, partial))
        stopped = true
      }
    }
    yield* sourceChunks(items)
    // Leaving the loop closes the input: past a line this long, nothing can be told apart.
    if (stopped) return
  }
  const last = partial.join("")
  if (!isBlank(last, 0, last.length)) yield [jsonItem(last, line + 1, decoder.sawInvalidBytes)]
}

/** The item for a line longer than `maxLineLength`, showing its start (`pieces` are its text so far). */
const tooLong = (line: number, maxLineLength: number, pieces: ReadonlyArray<string>): SourceItem => ({
  _tag: "Malformed",
  line,
  rule: "too-long",
  reason: `this line is longer than ${maxLineLength.toLocaleString("en-US")} characters, which no record is (is the input NDJSON?); reading stopped here`,
  text: shownStart(pieces)
})

/** Whether `text[start, end)` is only JSON whitespace (space, tab, `\r`, `\n`); checked in place, without slicing. */
const isBlank = (text: string, start: number, end: number): boolean => {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index)
    if (code !== 32 && code !== 9 && code !== 13 && code !== 10) return false
  }
  return true
}
