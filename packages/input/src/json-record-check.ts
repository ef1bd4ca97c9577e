import { inexactNumber, MAX_NESTING_DEPTH, MAX_RECORD_VALUES, mayBeInexactNumberAt, type RecordProblem, tooDeep, tooLarge } from "@distributed-insert/shard"

/**
 * What `JSON.parse` does not say about a record's text, checked so that no record is stored
 * other than as written and none is beyond the bounds of `record-limits.ts`:
 *
 * - a key given twice in one object (`JSON.parse` keeps the last one silently);
 * - a number that does not read back as written: more digits than a double holds
 *   (`9007199254740993`, `100.0000000000000001`), an exponent out of range (`1e-400` becomes 0,
 *   `1e400` Infinity);
 * - nesting deeper than `MAX_NESTING_DEPTH`, more than `MAX_RECORD_VALUES` values.
 *
 * `text` must be the JSON that `value` was parsed from. Most records are flat objects of short
 * numbers and strings, and for them a cheap screen of the parsed value and of the characters
 * after each `:` proves all of this; only a record it cannot clear is walked character by
 * character, so the hot path stays about as fast as `JSON.parse` alone.
 */
export const checkJsonRecord = (text: string, value: unknown): RecordProblem | undefined => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    // Not a record at all (validation says so); its numbers and nesting still bound what the report shows.
    return typeof value === "object" || typeof value === "number" ? auditJsonText(text) : undefined
  }
  const screened = screenFlatObject(text, value)
  return screened === "clear" ? undefined : screened === "audit" ? auditJsonText(text) : screened
}

/**
 * `clear` when `value`, parsed from `text`, is a flat object whose keys are all distinct and
 * whose numbers are all short enough to be exact; `audit` when that takes a closer look.
 *
 * Every value of a flat object follows a `:`, so looking after each one sees every number (and,
 * harmlessly, text after a `:` inside a string). There are as many `:` as keys written, plus
 * those inside strings: as many as the object has keys means that no key was written twice.
 */
const screenFlatObject = (text: string, value: object): "clear" | "audit" | RecordProblem => {
  let keys = 0
  for (const key in value) {
    keys++
    const field: unknown = Reflect.get(value, key)
    if (typeof field === "object" && field !== null) return "audit"
  }
  if (keys >= MAX_RECORD_VALUES) return tooLarge()
  let colons = 0
  for (let at = text.indexOf(":"); at !== -1; at = text.indexOf(":", at + 1)) {
    colons++
    if (mayBeInexactNumberAt(text, at + 1)) return "audit"
  }
  return colons === keys ? "clear" : "audit"
}

/**
 * Walks `text`, which `JSON.parse` accepted, token by token: the careful version of the
 * screen above, for records that it could not clear.
 */
export const auditJsonText = (text: string): RecordProblem | undefined => {
  // One entry per open container: an object's keys so far, or null for an array.
  const open: Array<Set<string> | null> = []
  let values = 0
  let expectingKey = false
  // The top-level field being read, to name it in messages.
  let field: string | undefined
  let index = 0
  while (index < text.length) {
    const code = text.charCodeAt(index)
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      values++
      if (open.length >= MAX_NESTING_DEPTH) return tooDeep(field)
      open.push(code === OPEN_BRACE ? new Set() : null)
      expectingKey = code === OPEN_BRACE
      index++
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      open.pop()
      expectingKey = false
      index++
    } else if (code === COMMA) {
      expectingKey = open.at(-1) instanceof Set
      index++
    } else if (code === COLON) {
      expectingKey = false
      index++
    } else if (code === QUOTE) {
      const end = stringEnd(text, index)
      const keys = open.at(-1)
      if (expectingKey && keys instanceof Set) {
        const raw = text.slice(index, end)
        const key: string = raw.includes("\\") ? JSON.parse(raw) : raw.slice(1, -1)
        if (keys.has(key)) return duplicateKey(key, open.length === 1 ? key : field)
        keys.add(key)
        if (open.length === 1) field = key
      } else values++
      index = end
    } else if (code === MINUS || isDigit(code)) {
      values++
      NUMBER.lastIndex = index
      const lexeme = NUMBER.exec(text)?.[0] ?? text.slice(index, index + 1)
      const problem = inexactNumber(lexeme, open.length === 0 ? undefined : field)
      if (problem !== undefined) return problem
      index += lexeme.length
    } else {
      // `true`, `false`, `null` or whitespace: a letter starts a literal, counted once.
      if (code === LOWER_T || code === LOWER_F || code === LOWER_N) {
        values++
        index += code === LOWER_F ? 5 : 4
      } else index++
    }
    if (values > MAX_RECORD_VALUES) return tooLarge()
  }
  return undefined
}

/** Where the string whose opening quote is at `start` ends (just after its closing quote). */
const stringEnd = (text: string, start: number): number => {
  let quote = text.indexOf('"', start + 1)
  while (quote !== -1) {
    let backslashes = 0
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return quote + 1
    quote = text.indexOf('"', quote + 1)
  }
  return text.length
}

const named = (field: string | undefined): { readonly field?: string } => (field === undefined ? {} : { field })

const duplicateKey = (key: string, field: string | undefined): RecordProblem => ({
  rule: "duplicate-key",
  reason: `the key ${JSON.stringify(key)} appears twice in one object (JSON would keep only the last value)`,
  ...named(field)
})

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y

const isDigit = (code: number): boolean => code >= 48 && code <= 57

const QUOTE = 34
const COMMA = 44
const MINUS = 45
const COLON = 58
const OPEN_BRACKET = 91
const BACKSLASH = 92
const CLOSE_BRACKET = 93
const LOWER_F = 102
const LOWER_N = 110
const LOWER_T = 116
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
