import { isUtf8 } from "node:buffer"
import type { RecordProblem } from "@distributed-insert/shard"

/**
 * Decodes UTF-8 that arrives in chunks without ever turning a byte that is not UTF-8 into
 * U+FFFD, which would store a record as success with characters it did not have. Such a byte
 * (a Latin-1 `é`, a truncated character, an encoded surrogate) is decoded instead to an escape,
 * U+DC00 plus the byte (as Python's `surrogateescape` does): a lone surrogate, which valid
 * UTF-8 can never produce, so a reader finds the record holding it with
 * {@link invalidUtf8Problem} and rejects that record alone.
 *
 * Valid chunks, which is all of them in a sound file, cost one native validation
 * (`buffer.isUtf8`) on top of the decoding; a character split between two chunks is kept whole.
 */
export class StrictUtf8Decoder {
  /** True once a byte was not UTF-8: readers then look for escapes in each record. */
  sawInvalidBytes = false
  /** The start of a character whose remaining bytes are in the next chunk (at most 3 bytes). */
  private pending: Uint8Array | null = null

  /** The text of `bytes`, less a character cut at its end, which is kept for the next call. */
  decode(bytes: Uint8Array): string {
    let head = ""
    let start = 0
    if (this.pending !== null) {
      const pending = this.pending
      const needed = sequenceLength(pending[0] ?? 0) - pending.length
      let taken = 0
      while (taken < needed && taken < bytes.length && isContinuation(bytes[taken] ?? 0)) taken++
      const joined = concat(pending, bytes.subarray(0, taken))
      if (taken < needed && taken === bytes.length) {
        this.pending = joined
        return ""
      }
      this.pending = null
      head = this.decodeWhole(joined)
      start = taken
    }
    const end = completeEnd(bytes, start)
    if (end < bytes.length) this.pending = bytes.slice(end)
    return head + this.decodeWhole(bytes.subarray(start, end))
  }

  /** The input ended: a character still waiting for its remaining bytes is invalid. */
  end(): string {
    const pending = this.pending
    this.pending = null
    return pending === null ? "" : this.decodeWhole(pending)
  }

  private decodeWhole(bytes: Uint8Array): string {
    if (isUtf8(bytes)) return utf8(bytes, 0, bytes.length)
    this.sawInvalidBytes = true
    return decodeEscapingInvalid(bytes)
  }
}

/** The text of `bytes`, complete in themselves, each byte that is not UTF-8 escaped as {@link StrictUtf8Decoder} does. */
export const decodeStrictly = (bytes: Uint8Array): string => (isUtf8(bytes) ? utf8(bytes, 0, bytes.length) : decodeEscapingInvalid(bytes))

/** The first byte of `text` that was not UTF-8 (see {@link StrictUtf8Decoder}), as a per-record problem. */
export const invalidUtf8Problem = (text: string): RecordProblem | undefined => {
  const found = ESCAPED_BYTE.exec(text)
  if (found === null) return undefined
  const byte = (found[0].codePointAt(0) ?? 0) - ESCAPE_BASE
  const column = found.index + 1
  return {
    rule: "invalid-utf8",
    reason: `invalid UTF-8: byte 0x${byte.toString(16).toUpperCase().padStart(2, "0")} (character ${column} of the record) is not UTF-8 text; convert the input to UTF-8 (it may be Latin-1 or Windows-1252)`
  }
}

const ESCAPE_BASE = 0xdc00
// With the `u` flag a surrogate pair is one code point, outside this range: only lone ones
// match, and valid UTF-8 decodes to no lone surrogate.
const ESCAPED_BYTE = /[\uDC80-\uDCFF]/u

const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80

/** How many bytes the sequence that `lead` starts should have (1 for a byte that starts none). */
const sequenceLength = (lead: number): number => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1)

/** Where the last complete character of `bytes[start..]` ends: before a sequence cut short by the chunk's end. */
const completeEnd = (bytes: Uint8Array, start: number): number => {
  const length = bytes.length
  for (let index = length - 1; index >= Math.max(start, length - 3); index--) {
    const byte = bytes[index] ?? 0
    if (isContinuation(byte)) continue
    return byte >= 0xc0 && byte < 0xf8 && index + sequenceLength(byte) > length ? index : length
  }
  return length
}

const concat = (first: Uint8Array, second: Uint8Array): Uint8Array => {
  const joined = new Uint8Array(first.length + second.length)
  joined.set(first, 0)
  joined.set(second, first.length)
  return joined
}

const utf8 = (bytes: Uint8Array, start: number, end: number): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8", start, end)

/**
 * The text of `bytes`, each byte that is not part of a well-formed UTF-8 sequence (Unicode's
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF) escaped on its own.
 */
const decodeEscapingInvalid = (bytes: Uint8Array): string => {
  const parts: Array<string> = []
  let validFrom = 0
  let index = 0
  while (index < bytes.length) {
    const length = wellFormedLength(bytes, index)
    if (length > 0) {
      index += length
      continue
    }
    if (validFrom < index) parts.push(utf8(bytes, validFrom, index))
    parts.push(String.fromCharCode(ESCAPE_BASE + (bytes[index] ?? 0)))
    index += 1
    validFrom = index
  }
  if (validFrom < bytes.length) parts.push(utf8(bytes, validFrom, bytes.length))
  return parts.join("")
}

/** The length of the well-formed UTF-8 sequence at `index`, or 0 when none starts there. */
const wellFormedLength = (bytes: Uint8Array, index: number): number => {
  const lead = bytes[index] ?? 0
  if (lead < 0x80) return 1
  const inRange = (offset: number, low: number, high: number): boolean => {
    const byte = bytes[index + offset]
    return byte !== undefined && byte >= low && byte <= high
  }
  if (lead >= 0xc2 && lead <= 0xdf) return inRange(1, 0x80, 0xbf) ? 2 : 0
  if (lead >= 0xe0 && lead <= 0xef) {
    // E0 needs A0-BF (no overlong form), ED needs 80-9F (no surrogate).
    const second = lead === 0xe0 ? inRange(1, 0xa0, 0xbf) : lead === 0xed ? inRange(1, 0x80, 0x9f) : inRange(1, 0x80, 0xbf)
    return second && inRange(2, 0x80, 0xbf) ? 3 : 0
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    // F0 needs 90-BF (no overlong form), F4 needs 80-8F (nothing above U+10FFFF).
    const second = lead === 0xf0 ? inRange(1, 0x90, 0xbf) : lead === 0xf4 ? inRange(1, 0x80, 0x8f) : inRange(1, 0x80, 0xbf)
    return second && inRange(2, 0x80, 0xbf) && inRange(3, 0x80, 0xbf) ? 4 : 0
  }
  return 0
}
