/**
 * Hostile input for property tests: values of every wrong type, the numbers that break naive
 * code (NaN, ±Infinity, -0, integers beyond 2^53), text with NUL, astral characters, lone
 * surrogates, SQL meta-characters and a megabyte of it, values nested past the validator's
 * bounds, and records with missing, extra and prototype-named fields. Test-only (exported from
 * the testing entry, never from mod.ts): it imports fast-check.
 */
import fc from "fast-check"
import type { FieldKind } from "./field-kinds.ts"
import { MAX_NESTING_DEPTH, MAX_RECORD_VALUES } from "./record-limits.ts"
import { MAX_ISSUES } from "./validation.ts"

export const SQL_META_STRINGS = ["'); DROP TABLE users; --", '"', "%", "_", "'", "\\", ";", "--", "/*", "?", ":id", "$1"] as const

/** Own keys that mean something to JavaScript objects or to SQL, for extra fields. */
export const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  'name"); DROP TABLE users; --',
  "id; --",
  "ID",
  "",
  "extra"
] as const

const MEBIBYTE = 1 << 20

/**
 * Megabyte strings: plain, and mixed (NUL, astral, accented and SQL characters; every
 * surrogate paired). One lone surrogate at the end of an otherwise valid megabyte.
 */
export const MEGABYTE_STRINGS = ["x".repeat(MEBIBYTE), "\u0000😀é'%_\";".repeat(MEBIBYTE / 8), `${"y".repeat(MEBIBYTE - 1)}\uD800`] as const

/**
 * Numbers at the edges of what a double, a safe integer and a SQLite INTEGER hold. 2^53 + 1 is
 * not among them because a double cannot hold it: it is 2^53, and 2^53 + 2 the next double.
 */
export const EDGE_NUMBERS = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  2 ** 31,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  0.1
] as const

/** Any UTF-16 code unit, so lone (and, by chance, paired) surrogates turn up. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit))

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 6, arbitrary: fc.string({ unit: codeUnit, maxLength: 6 }) },
  { weight: 6, arbitrary: fc.constantFrom("", "\u0000", "a\u0000b", "😀", "\u{10FFFF}", "\uD800", "x\uDFFF", "\uDE00\uD83D", "é", "\uFEFF", "\uFEFFbom", "bom\uFEFF", ...SQL_META_STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom(...MEGABYTE_STRINGS) }
)

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(...EDGE_NUMBERS))

/**
 * `[[[...1...]]]` (or `{"inner":{"inner":...1...}}`), `levels` deep, built without recursion,
 * so it can be deeper than the call stack.
 */
export const nested = (levels: number, container: "array" | "object" = "array"): unknown => {
  let value: unknown = 1
  for (let level = 0; level < levels; level++) value = container === "array" ? [value] : { inner: value }
  return value
}

/** Arrays or objects nested up to three times the validator's bound, so both sides of it turn up. */
export const deeplyNested: fc.Arbitrary<unknown> = fc
  .tuple(fc.nat({ max: 3 * MAX_NESTING_DEPTH }), fc.constantFrom("array", "object"))
  .map(([levels, container]) => nested(levels, container))

/** Anything a field can hold by mistake: other types, containers, and things JSON cannot even say. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  { weight: 4, arbitrary: hostileText },
  { weight: 4, arbitrary: fc.constantFrom(null, undefined, true, false) },
  { weight: 2, arbitrary: fc.bigInt() },
  { weight: 2, arbitrary: fc.array(fc.integer(), { maxLength: 2 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.constant(new Date(0)) },
  { weight: 1, arbitrary: fc.constant(Symbol("hostile")) },
  { weight: 1, arbitrary: deeplyNested }
)

/** Values of the field's kind, valid or at its edges, most of the time; anything at all otherwise. */
const fieldValue = (kind: FieldKind): fc.Arbitrary<unknown> => {
  switch (kind) {
    case "int":
      // Small ids collide, so a database's UNIQUE constraint is exercised too.
      return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -2, max: 12 }) }, { weight: 2, arbitrary: hostileNumber }, { weight: 1, arbitrary: anyValue })
    case "finite":
    case "number":
      return fc.oneof({ weight: 6, arbitrary: hostileNumber }, { weight: 1, arbitrary: anyValue })
    case "text":
      return fc.oneof({ weight: 6, arbitrary: hostileText }, { weight: 1, arbitrary: anyValue })
    case "other":
      return anyValue
  }
}

/**
 * Text that may stand for a number, as a CSV cell holds it: what JavaScript writes for hostile
 * numbers, decimals too long or too large for a double, and what `Number()` would misread
 * (hex, padding, `+`, `_`, an empty cell).
 */
export const numericText: fc.Arbitrary<string> = fc.oneof(
  hostileNumber.map(String),
  fc.stringMatching(/^-?\d{1,20}(\.\d{1,20})?([eE][+-]?\d{1,3})?$/),
  fc.constantFrom("", " 1", "1 ", "0x10", "0b1", "1_000", "+1", ".5", "1.", "-0", "00", "1e400", "9007199254740993", "Infinity", "NaN", "١٢")
)

/** A CSV cell for a field of this kind: text, mostly of the field's kind; now and then not text at all. */
const textCellValue = (kind: FieldKind): fc.Arbitrary<unknown> => {
  const numeric = kind === "int" || kind === "finite" || kind === "number"
  return fc.oneof(
    // Small integers, as ids and quantities are written, so that whole records are accepted too.
    { weight: numeric ? 8 : 0, arbitrary: fc.integer({ min: -2, max: 12 }).map(String) },
    { weight: numeric ? 4 : 1, arbitrary: numericText },
    { weight: numeric ? 1 : 6, arbitrary: hostileText },
    { weight: 1, arbitrary: anyValue }
  )
}

/** Own, enumerable properties, as JSON.parse makes them: `__proto__` becomes a key, not the prototype. */
const withOwnProperties = (base: object, extra: ReadonlyArray<readonly [string, unknown]>): object => {
  const record = { ...base }
  for (const [key, value] of extra) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  return record
}

/** `count` extra fields, `extra0` to `extra<count - 1>`: more than a rejection lists, or more values than a record may hold. */
const manyExtraFields = (count: number): ReadonlyArray<readonly [string, unknown]> => Array.from({ length: count }, (_, index) => [`extra${index}`, index])

/** Records whose values come from `valueFor`: mostly complete, sometimes missing fields or with extra ones, sometimes not an object. */
const recordsOf = (fields: Readonly<Record<string, FieldKind>>, valueFor: (kind: FieldKind) => fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => {
  const values = Object.fromEntries(Object.entries(fields).map(([name, kind]) => [name, valueFor(kind)]))
  const extras = fc.oneof(
    { weight: 40, arbitrary: fc.constant([]) },
    { weight: 10, arbitrary: fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS), anyValue), { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.constantFrom(MAX_ISSUES + 1, MAX_RECORD_VALUES + 1).map(manyExtraFields) }
  )
  const object = fc
    .tuple(fc.oneof({ weight: 5, arbitrary: fc.record(values) }, { weight: 1, arbitrary: fc.record(values, { requiredKeys: [] }) }), extras)
    .map(([base, extra]) => withOwnProperties(base, extra))
  return fc.oneof({ weight: 12, arbitrary: object }, { weight: 1, arbitrary: anyValue })
}

/**
 * Records of a model with these fields (see `fieldKindsOf`): mostly complete, sometimes
 * missing fields, sometimes with extra ones (`__proto__`, `constructor`...), sometimes not an
 * object at all; each value of its field's kind or at its edges, most of the time.
 */
export const hostileRecord = (fields: Readonly<Record<string, FieldKind>>): fc.Arbitrary<unknown> => recordsOf(fields, fieldValue)

/** {@link hostileRecord} as a CSV reader gives it, for `validateText`: values are text, numbers written as text. */
export const hostileTextRecord = (fields: Readonly<Record<string, FieldKind>>): fc.Arbitrary<unknown> => recordsOf(fields, textCellValue)

/**
 * Any value at all: JSON, and what JSON cannot say (`undefined`, bigints, dates, maps, typed
 * arrays, objects without a prototype, boxed values, sparse arrays), keys like `__proto__`.
 */
export const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.anything({
    key: fc.oneof(fc.string(), fc.constantFrom(...HOSTILE_KEYS)),
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true
  })
)
