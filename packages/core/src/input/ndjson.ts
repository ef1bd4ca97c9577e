import type { Readable } from "node:stream"
import type { SourceItem } from "../record-source.ts"
import { jsonItem } from "./json-item.ts"
import { sourceChunks } from "./source-chunks.ts"
import { textChunks } from "./text-chunks.ts"

/**
 * Reads NDJSON (JSON Lines): one JSON value per line, `\n` or `\r\n` line ends, the last line
 * with or without one. Blank lines are skipped but still counted, so every item carries the
 * line it is on in the file. A line that is not JSON becomes a `Malformed` item and reading
 * goes on.
 *
 * Streams: it holds one chunk of the input plus the line that straddles two chunks, whatever
 * the size of the input.
 */
export async function* readNdjson(input: Readable): AsyncGenerator<ReadonlyArray<SourceItem>> {
  // The start of a line whose end has not arrived yet, in pieces so a very long line is
  // joined once rather than copied again with every chunk.
  let partial: Array<string> = []
  let line = 0
  for await (const text of textChunks(input)) {
    let newline = text.indexOf("\n")
    if (newline === -1) {
      partial.push(text)
      continue
    }
    const items: Array<SourceItem> = []
    partial.push(text.slice(0, newline))
    const first = partial.join("")
    partial = []
    line += 1
    if (!isBlank(first, 0, first.length)) items.push(jsonItem(first, line))
    let start = newline + 1
    newline = text.indexOf("\n", start)
    while (newline !== -1) {
      line += 1
      // JSON.parse ignores the `\r` of a `\r\n` as trailing whitespace, so it needs no trimming.
      if (!isBlank(text, start, newline)) items.push(jsonItem(text.slice(start, newline), line))
      start = newline + 1
      newline = text.indexOf("\n", start)
    }
    if (start < text.length) partial.push(text.slice(start))
    yield* sourceChunks(items)
  }
  const last = partial.join("")
  if (!isBlank(last, 0, last.length)) yield [jsonItem(last, line + 1)]
}

/** Whether `text[start, end)` is only JSON whitespace (space, tab, `\r`, `\n`); checked in place, without slicing. */
const isBlank = (text: string, start: number, end: number): boolean => {
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index)
    if (code !== 32 && code !== 9 && code !== 13 && code !== 10) return false
  }
  return true
}
