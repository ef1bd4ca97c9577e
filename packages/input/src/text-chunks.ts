import type { Readable } from "node:stream"
import { StrictUtf8Decoder } from "./strict-utf8.ts"

const BYTE_ORDER_MARK = 0xfeff

/**
 * The text of `input`, chunk by chunk as it arrives: bytes are decoded as UTF-8 by `decoder`
 * (a character split across two chunks is kept whole; a byte that is not UTF-8 becomes an
 * escape that the reader rejects with its record, see {@link StrictUtf8Decoder}) and a leading
 * byte order mark is dropped, since editors on Windows often write one and it is not part of
 * the data.
 *
 * @throws TypeError when the stream yields something other than text or bytes (an object-mode
 * stream), which is a programming error.
 */
export async function* textChunks(input: Readable, decoder: StrictUtf8Decoder = new StrictUtf8Decoder()): AsyncGenerator<string> {
  const chunks: AsyncIterable<unknown> = input
  let atStart = true
  for await (const chunk of chunks) {
    let text = typeof chunk === "string" ? chunk : chunk instanceof Uint8Array ? decoder.decode(chunk) : unexpected(chunk)
    if (atStart && text.length > 0) {
      atStart = false
      if (text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1)
    }
    if (text.length > 0) yield text
  }
  const rest = decoder.end()
  if (rest.length > 0) yield rest
}

const unexpected = (chunk: unknown): never => {
  throw new TypeError(`an input stream must yield text or bytes, got ${chunk === null ? "null" : typeof chunk}`)
}
