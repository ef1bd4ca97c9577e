/**
 * The bounds on one record, shared by every input format and by validation, so that no single
 * record can exhaust memory or the call stack of the process that loads its neighbours: every
 * reader stops at the same length, and everything that walks a record (the Schema decoder, its
 * messages, `JSON.stringify` for the result files, `structuredClone` to a worker's parent) is
 * recursive, so nesting is bounded well below where any of them would overflow.
 */

/**
 * The longest text one record may have, in characters (UTF-16 code units): an NDJSON line, a
 * JSON array element, a CSV row. Past it, where the record ends is in doubt (a quote or bracket
 * never closed, a binary file, `/dev/zero`), so the reading stops there.
 */
export const MAX_RECORD_LENGTH = 64 * 1024 * 1024

/** How deeply a record's values may nest; the record itself is level 1. A row's fields are flat. */
export const MAX_NESTING_DEPTH = 64

/**
 * How many values (objects, arrays, numbers, strings, ...) one record may hold in all. SQLite
 * tables have at most 2,000 columns, so no valid record comes near; the bound caps how many
 * issues one record can get, and how much of it the report repeats.
 */
export const MAX_RECORD_VALUES = 10_000

/** How much of a rejected record's text the report shows in its place. */
export const MAX_SHOWN_TEXT = 1_000

/** The rules under which a record that could not be read is counted (its issue's `rule`). */
export type UnreadableRule = "malformed" | "too-long" | "too-deep" | "too-large" | "invalid-utf8" | "duplicate-key" | "inexact-number"

/** A reason a record was not read, as the readers and the validator say it. */
export interface RecordProblem {
  readonly rule: UnreadableRule
  readonly reason: string
  /** The top-level field at fault, when one is. */
  readonly field?: string
}

export const tooDeep = (field?: string): RecordProblem => ({
  rule: "too-deep",
  reason: `the record nests deeper than ${MAX_NESTING_DEPTH} levels`,
  ...(field === undefined ? {} : { field })
})

export const tooLarge = (): RecordProblem => ({
  rule: "too-large",
  reason: `the record holds more than ${MAX_RECORD_VALUES.toLocaleString("en-US")} values`
})

/**
 * Why `value` is out of bounds (deeper than {@link MAX_NESTING_DEPTH}, more than
 * {@link MAX_RECORD_VALUES} values), or undefined. Walks with a stack of its own, not
 * recursion, and stops as soon as it knows, so any value can be measured, however deep.
 */
export const valueOutOfBounds = (value: unknown): RecordProblem | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const pending: Array<{ readonly value: object; readonly depth: number; readonly field: string | undefined }> = [
    { value, depth: 1, field: undefined }
  ]
  let values = 1
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const topLevel = next.depth === 1
    const children: ReadonlyArray<unknown> = Array.isArray(next.value) ? next.value : Object.keys(next.value)
    values += children.length
    if (values > MAX_RECORD_VALUES) return tooLarge()
    for (let index = 0; index < children.length; index++) {
      const key = Array.isArray(next.value) ? undefined : String(children[index])
      const child = key === undefined ? children[index] : Reflect.get(next.value, key)
      if (typeof child !== "object" || child === null) continue
      const field = topLevel ? key : next.field
      if (next.depth + 1 > MAX_NESTING_DEPTH) return tooDeep(field)
      pending.push({ value: child, depth: next.depth + 1, field })
    }
  }
  return undefined
}

/**
 * What the report shows of a record's text in place of the record: the text, without its
 * line ends, cut to {@link MAX_SHOWN_TEXT} characters (marked with `…`), and with any byte that was
 * not UTF-8 shown as U+FFFD, since the escapes that stand for such bytes are not text.
 */
export const shownText = (text: string): string => {
  let end = text.length
  while (end > 0 && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 10)) end -= 1
  let shown = text
  if (end > MAX_SHOWN_TEXT) {
    // Never cut between the two halves of a surrogate pair.
    const cut = isHighSurrogate(text.charCodeAt(MAX_SHOWN_TEXT - 1)) ? MAX_SHOWN_TEXT - 1 : MAX_SHOWN_TEXT
    shown = `${text.slice(0, cut)}…`
  } else if (end < text.length) shown = text.slice(0, end)
  return shown.replace(LONE_SURROGATE, "\uFFFD")
}

/** {@link shownText} of a text held in pieces (a long line, an element), joining no more of them than it shows. */
export const shownStart = (pieces: ReadonlyArray<string>): string => {
  let start = ""
  for (const piece of pieces) {
    if (start.length > MAX_SHOWN_TEXT) break
    start += piece.length > MAX_SHOWN_TEXT ? piece.slice(0, MAX_SHOWN_TEXT + 1) : piece
  }
  return shownText(start)
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff

// With the `u` flag a surrogate pair is one code point, outside this range: only lone ones match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu
