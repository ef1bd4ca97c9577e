import type { RecordProblem } from "./record-limits.ts"

/**
 * The rule for numbers: one is stored only if it reads back as written. A double holds 15 to
 * 17 significant digits and exponents from about -308 to 308, and SQLite and JSON write a
 * stored number back with the fewest digits that identify it (JavaScript's `String(number)`):
 * `9007199254740993` would come back as `9007199254740992`, `100.0000000000000001` as `100`,
 * `1e-400` as `0`. Refused, quoting the text, rather than stored as another number.
 */

/**
 * Whether a number that may not be exact starts at `start` (after whitespace): one with an
 * exponent, or with more than 15 digits. A decimal of at most 15 significant digits always
 * reads back from the nearest double unchanged (IEEE 754's 15-digit guarantee, `DBL_DIG`).
 */
export const mayBeInexactNumberAt = (text: string, start: number): boolean => {
  let index = start
  let code = text.charCodeAt(index)
  while (code === SPACE || code === TAB || code === NEWLINE || code === RETURN) code = text.charCodeAt(++index)
  if (code === MINUS) code = text.charCodeAt(++index)
  if (!isDigit(code)) return false
  let digits = 0
  while (isDigit(code) || code === DOT) {
    if (code !== DOT) digits++
    code = text.charCodeAt(++index)
  }
  return digits > 15 || code === LOWER_E || code === UPPER_E
}

/** The problem with a JSON number whose text is `lexeme`, if it does not read back as written. */
export const inexactNumber = (lexeme: string, field: string | undefined): RecordProblem | undefined => {
  if (!mayBeInexactNumberAt(lexeme, 0)) return undefined
  const value = Number(lexeme)
  const where = field === undefined ? "" : ` in field ${JSON.stringify(field)}`
  if (!Number.isFinite(value)) {
    return { rule: "inexact-number", reason: `the number ${lexeme}${where} is too large to be stored (a double holds at most about 1.8e308)`, ...named(field) }
  }
  const readBack = String(value)
  if (sameDecimal(lexeme, readBack)) return undefined
  return {
    rule: "inexact-number",
    reason: `the number ${lexeme}${where} cannot be stored exactly: it would read back as ${readBack} (a double holds about 15 to 17 significant digits)`,
    ...named(field)
  }
}

const named = (field: string | undefined): { readonly field?: string } => (field === undefined ? {} : { field })

/**
 * Whether two decimal texts (JSON numbers, or JavaScript's `String(number)`: `1e+21`,
 * `1.5e-7`) denote the same number. Compared as sign, significant digits and exponent, so
 * that `1000.00` is `1000` and `1e2` is `100`.
 */
export const sameDecimal = (a: string, b: string): boolean => {
  const left = decimalParts(a)
  const right = decimalParts(b)
  if (left.digits === "" || right.digits === "") return left.digits === right.digits
  return left.negative === right.negative && left.digits === right.digits && left.exponent === right.exponent
}

/** `text` as `(-1)^negative × 0.digits × 10^exponent`, digits without leading or trailing zeros ("" for zero). */
const decimalParts = (text: string): { readonly negative: boolean; readonly digits: string; readonly exponent: number } => {
  const negative = text.startsWith("-")
  const unsigned = negative || text.startsWith("+") ? text.slice(1) : text
  const e = unsigned.search(/[eE]/)
  const mantissa = e === -1 ? unsigned : unsigned.slice(0, e)
  const written = e === -1 ? 0 : Number(unsigned.slice(e + 1))
  const dot = mantissa.indexOf(".")
  const whole = dot === -1 ? mantissa : mantissa.slice(0, dot)
  const all = dot === -1 ? mantissa : whole + mantissa.slice(dot + 1)
  const leading = all.length - all.replace(/^0+/, "").length
  const digits = all.slice(leading).replace(/0+$/, "")
  return { negative, digits, exponent: written + whole.length - leading }
}

const TAB = 9
const NEWLINE = 10
const RETURN = 13
const SPACE = 32
const MINUS = 45
const DOT = 46
const UPPER_E = 69
const LOWER_E = 101

const isDigit = (code: number): boolean => code >= 48 && code <= 57
