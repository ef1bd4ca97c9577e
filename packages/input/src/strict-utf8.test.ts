import { isUtf8 } from "node:buffer"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { invalidUtf8Problem, StrictUtf8Decoder } from "./strict-utf8.ts"

/** `bytes` decoded by one decoder, fed in pieces cut at `cuts` (offsets, any order, duplicates allowed). */
const decodeInPieces = (bytes: Uint8Array, cuts: ReadonlyArray<number>): { readonly text: string; readonly sawInvalidBytes: boolean } => {
  const decoder = new StrictUtf8Decoder()
  const points = [...new Set([0, ...cuts.map((cut) => cut % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b)
  let text = ""
  for (let index = 1; index < points.length; index++) text += decoder.decode(bytes.subarray(points[index - 1], points[index]))
  text += decoder.end()
  return { text, sawInvalidBytes: decoder.sawInvalidBytes }
}

/** The bytes a decoded text stands for: escapes (U+DC80-U+DCFF) back to their byte, everything else as UTF-8. */
const bytesOf = (text: string): Buffer => {
  const parts: Array<Buffer> = []
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    parts.push(code >= 0xdc80 && code <= 0xdcff ? Buffer.from([code - 0xdc00]) : Buffer.from(char, "utf8"))
  }
  return Buffer.concat(parts)
}

const cutsArbitrary = fc.array(fc.nat(), { maxLength: 8 })

describe("StrictUtf8Decoder", () => {
  it("decodes valid UTF-8 exactly, however it is cut, and never reports it invalid", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), cutsArbitrary, (text, cuts) => {
        expect(decodeInPieces(Buffer.from(text, "utf8"), cuts)).toEqual({ text, sawInvalidBytes: false })
      })
    )
  })

  it("loses no byte of any input: escapes stand for exactly the bytes that are not UTF-8, wherever the cuts fall", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      // Mostly valid text with a few stray bytes: truncated sequences, Latin-1, encoded surrogates.
      fc
        .tuple(fc.string({ unit: "grapheme", maxLength: 12 }), fc.uint8Array({ minLength: 1, maxLength: 3 }), fc.string({ unit: "grapheme", maxLength: 12 }))
        .map(([before, stray, after]) => Buffer.concat([Buffer.from(before), stray, Buffer.from(after)]))
    )
    fc.assert(
      fc.property(bytes, cutsArbitrary, (input, cuts) => {
        const whole = decodeInPieces(input, [])
        expect(decodeInPieces(input, cuts)).toEqual(whole)
        expect(bytesOf(whole.text).equals(Buffer.from(input))).toBe(true)
        expect(whole.sawInvalidBytes).toBe(!isUtf8(input))
        expect(invalidUtf8Problem(whole.text) !== undefined).toBe(!isUtf8(input))
      })
    )
  })

  it.each([
    ["Latin-1 é", [0x63, 0x61, 0x66, 0xe9], 0xe9],
    ["an overlong slash", [0x61, 0xc0, 0xaf], 0xc0],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], 0xed],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0xf4],
    ["a truncated character at the end", [0x61, 0xe2, 0x82], 0xe2],
    ["a lone continuation byte", [0x80], 0x80]
  ])("refuses %s, naming the first bad byte", (_name, bytes, first) => {
    const { text, sawInvalidBytes } = decodeInPieces(Uint8Array.from(bytes), [1, 2])
    expect(sawInvalidBytes).toBe(true)
    expect(invalidUtf8Problem(text)).toEqual({
      rule: "invalid-utf8",
      reason: expect.stringContaining(`byte 0x${first.toString(16).toUpperCase()}`)
    })
  })

  it("does not take a valid astral character, whose second half is a low surrogate, for an escape", () => {
    const text = "\u{10080}\u{1F600}"
    expect(decodeInPieces(Buffer.from(text, "utf8"), [1, 2, 3, 5])).toEqual({ text, sawInvalidBytes: false })
    expect(invalidUtf8Problem(text)).toBeUndefined()
  })
})
