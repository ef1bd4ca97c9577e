import type { Readable } from "node:stream"
import { JsonArrayScanner } from "./json-array-scanner.ts"
import type { SourceItem } from "./record-source.ts"
import { sourceChunks } from "./source-chunks.ts"
import { StrictUtf8Decoder } from "./strict-utf8.ts"
import { textChunks } from "./text-chunks.ts"

/**
 * Reads one JSON array of records (`[ {...}, {...} ]`), element by element as the text
 * arrives: memory holds one chunk of the input and the element being read, never the whole
 * array. Each element is a record on the line it starts on; a malformed one, or one holding
 * bytes that are not UTF-8, is a `Malformed` item and reading goes on (see
 * {@link JsonArrayScanner} for what stops it).
 */
export async function* readJsonArray(input: Readable): AsyncGenerator<ReadonlyArray<SourceItem>> {
  const scanner = new JsonArrayScanner()
  const decoder = new StrictUtf8Decoder()
  for await (const text of textChunks(input, decoder)) {
    yield* sourceChunks(scanner.push(text, decoder.sawInvalidBytes))
    // Leaving the loop closes the input: nothing after this point can become a record.
    if (scanner.stopped) return
  }
  yield* sourceChunks(scanner.end())
}
