/**
 * Hostile input for property tests: values of every wrong type, the numbers that break naive
 * code (NaN, ±Infinity, -0, integers beyond 2^53), text with NUL, astral characters, lone
 * surrogates, SQL meta-characters and a megabyte of it, and records with missing, extra and
 * prototype-named fields. Also a plain restatement of what a record's field kinds accept, to
 * hold the validator to. Not part of the public API (not exported from mod.ts).
 */
import fc from "fast-check"

/** The column types the shard plugins use: `Schema.Int`, `Schema.Finite` and `Schema.String`. */
export type FieldKind = "int" | "finite" | "text"

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

/** Numbers at the edges of what a double, a safe integer and a SQLite INTEGER hold. */
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

/** Anything a field can hold by mistake: other types, containers, and things JSON cannot even say. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  hostileText,
  fc.constantFrom(null, undefined, true, false),
  fc.bigInt(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.constant(new Date(0)),
  fc.constant(Symbol("hostile"))
)

/** Values of the field's kind, valid or at its edges, most of the time; anything at all otherwise. */
const fieldValue = (kind: FieldKind): fc.Arbitrary<unknown> => {
  switch (kind) {
    case "int":
      // Small ids collide, so the database's UNIQUE constraint is exercised too.
      return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -2, max: 12 }) }, { weight: 2, arbitrary: hostileNumber }, { weight: 1, arbitrary: anyValue })
    case "finite":
      return fc.oneof({ weight: 6, arbitrary: hostileNumber }, { weight: 1, arbitrary: anyValue })
    case "text":
      return fc.oneof({ weight: 6, arbitrary: hostileText }, { weight: 1, arbitrary: anyValue })
  }
}

/** Own, enumerable properties, as JSON.parse makes them: `__proto__` becomes a key, not the prototype. */
const withOwnProperties = (base: object, extra: ReadonlyArray<readonly [string, unknown]>): object => {
  const record = { ...base }
  for (const [key, value] of extra) Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  return record
}

/**
 * Records of a model with these fields: mostly complete, sometimes missing fields, sometimes
 * with extra ones, sometimes not an object at all.
 */
export const hostileRecord = (fields: Readonly<Record<string, FieldKind>>): fc.Arbitrary<unknown> => {
  const values = Object.fromEntries(Object.entries(fields).map(([name, kind]) => [name, fieldValue(kind)]))
  const extras = fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...HOSTILE_KEYS), anyValue), { minLength: 1, maxLength: 2 }) }
  )
  const object = fc
    .tuple(fc.oneof({ weight: 5, arbitrary: fc.record(values) }, { weight: 1, arbitrary: fc.record(values, { requiredKeys: [] }) }), extras)
    .map(([base, extra]) => withOwnProperties(base, extra))
  return fc.oneof({ weight: 12, arbitrary: object }, { weight: 1, arbitrary: anyValue })
}

/**
 * Text that reads back as it was written: no byte order mark first, and well-formed UTF-16,
 * which is what survives a UTF-8 round trip (a lone surrogate becomes U+FFFD).
 */
const isStorableText = (text: string): boolean => !text.startsWith("\uFEFF") && Buffer.from(text, "utf8").toString("utf8") === text

/** What a field of this kind accepts, said independently of the Schema that implements it. */
export const acceptsValue = (kind: FieldKind, value: unknown): boolean => {
  switch (kind) {
    case "int":
      return Number.isSafeInteger(value)
    case "finite":
      return typeof value === "number" && Number.isFinite(value)
    case "text":
      return typeof value === "string" && isStorableText(value)
  }
}

/** An object (not null, not an array) whose own keys are exactly `fields`, each value of its kind. */
export const hasFieldsOfKinds = (value: unknown, fields: Readonly<Record<string, FieldKind>>): value is Readonly<Record<string, number | string>> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const names = Object.keys(fields)
  const keys = Reflect.ownKeys(value)
  return keys.length === names.length && Object.entries(fields).every(([name, kind]) => Object.hasOwn(value, name) && acceptsValue(kind, Reflect.get(value, name)))
}

/** SQLite, like SQL, has one zero: -0 is stored, and read back, as 0. */
export const asStored = (value: unknown): unknown => (Object.is(value, -0) ? 0 : value)
