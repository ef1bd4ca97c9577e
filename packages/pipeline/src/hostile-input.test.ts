import { join } from "node:path"
import { memoryInput } from "@distributed-insert/input"
import type { RecordShape, Shard, ShardDefinition } from "@distributed-insert/shard"
import { type FieldKind, fieldKindsOf, hasFieldsOfKinds, hostileRecord, unexplainedIssues } from "@distributed-insert/shard/testing"
import { orders } from "@distributed-insert/shard-orders"
import { products } from "@distributed-insert/shard-products"
import { users } from "@distributed-insert/shard-users"
import { SQLJS_TEXT_RULES } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import fc from "fast-check"
import { openedInput } from "./input-source.ts"
import { getRecord, listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import type { RecordResult } from "./report.ts"
import { queryFile, tempDir, testLayer } from "./testing.ts"

/** A seed shard with its fields' kinds, read from its schema: what its hostile records are made of. */
interface HostileShape {
  readonly shard: Shard
  readonly fields: Readonly<Record<string, FieldKind>>
}

const shapeOf = <A extends RecordShape, I>(shard: ShardDefinition<A, I>): HostileShape => ({ shard, fields: fieldKindsOf(shard) })

const [usersShape, productsShape, ordersShape] = [shapeOf(users), shapeOf(products), shapeOf(orders)]

type StoredRecord = Readonly<Record<string, number | string>>

/**
 * Text that reads back as it was written: no byte order mark first, and well-formed UTF-16,
 * which is what survives a UTF-8 round trip (a lone surrogate becomes U+FFFD). What sql.js
 * stores, said independently of its text rules.
 */
const isStorableText = (text: string): boolean => !text.startsWith("\uFEFF") && Buffer.from(text, "utf8").toString("utf8") === text

/** SQLite, like SQL, has one zero: -0 is stored, and read back, as 0. */
const asStored = (value: unknown): unknown => (Object.is(value, -0) ? 0 : value)

/**
 * A record the storage must take: its fields of their kinds, its text storable, and its rules
 * holding. The kinds and the text are said here independently of the validator; whether the
 * rules hold is the shard's to say (its conformance tests hold it to the seed).
 */
const isStorable = (shape: HostileShape, record: unknown): record is StoredRecord =>
  hasFieldsOfKinds(record, shape.fields) &&
  Object.values(record).every((value) => typeof value !== "string" || isStorableText(value)) &&
  Result.isSuccess(shape.shard.validate(record))

/** What the pipeline must make of each record, in order: a duplicate id is the database's to refuse. */
const expectedStatuses = (shape: HostileShape, records: ReadonlyArray<unknown>): Array<RecordResult["status"]> => {
  const stored = new Set<unknown>()
  return records.map((record) => {
    if (!isStorable(shape, record)) return "invalid"
    // A Set compares with SameValueZero, so -0 and 0 are one key, as they are one SQLite integer.
    if (stored.has(record["id"])) return "failed"
    stored.add(record["id"])
    return "inserted"
  })
}

/**
 * A rejection says why: the database's, once, for a duplicate id; the validator's (sql.js's
 * text rules included) each naming its rule and the field at fault, as the shard conformance
 * check has them.
 */
const expectExplained = (shape: HostileShape, result: RecordResult, input: unknown) => {
  if (result.status === "failed") expect(result.issues).toEqual([expect.objectContaining({ kind: "database", field: "id", rule: "unique" })])
  else expect(unexplainedIssues(shape.shard, input, result.issues, SQLJS_TEXT_RULES)).toEqual([])
}

/** `record` as a row read back: its columns only, -0 as 0. */
const storedForm = (shape: HostileShape, record: StoredRecord) =>
  Object.fromEntries(shape.shard.columns.map((column) => [column, asStored(record[column])]))

/** Each text column's bytes in the file, as hex, by id: read with a sql.js of its own, not the storage under test. */
const textBytesInFile = (shape: HostileShape, file: string) => {
  const texts = Object.keys(shape.fields).filter((name) => shape.fields[name] === "text")
  return texts.length === 0
    ? Effect.succeed([])
    : queryFile(file, `SELECT ${texts.map((column) => `hex(${column})`).join(", ")} FROM ${shape.shard.table} ORDER BY id`)
}

const utf8Hex = (shape: HostileShape, record: StoredRecord) =>
  Object.keys(shape.fields)
    .filter((name) => shape.fields[name] === "text")
    .map((column) => Buffer.from(String(record[column]), "utf8").toString("hex").toUpperCase())

/**
 * Loads `records` through `populate` into a fresh file in a temp folder; returns each record's
 * result and what a new storage, which reads the file rather than the memory that wrote it, gives back.
 */
const loadThenReadBack = (shape: HostileShape, records: ReadonlyArray<unknown>) =>
  Effect.gen(function* () {
    const { shard } = shape
    const dir = yield* tempDir
    const report = yield* populate({ inputs: () => openedInput(memoryInput(records, "hostile")), settings: { batchSize: 4 } }).pipe(Effect.provide(testLayer([shard], dir)))
    expect(report.shards[0]?.error).toBeNull()
    const results = report.shards[0]?.records ?? []
    const readBack = yield* Effect.gen(function* () {
      const rows = (yield* listRecords(shard.model, { limit: records.length + 1 })).rows
      // Each inserted record by its key too, as `get` reads it: the key goes in as text.
      const byKey = yield* Effect.forEach(rows, (row) => getRecord(shard.model, String(row["id"])))
      return { rows, byKey }
    }).pipe(Effect.provide(testLayer([shard], dir)))
    return { results, ...readBack, file: join(dir, `${shard.name}.db`) }
  })

const storedExactlyOrExplained = (shape: HostileShape, records: ReadonlyArray<unknown>) =>
  Effect.gen(function* () {
    const { results, rows, byKey, file } = yield* loadThenReadBack(shape, records)
    expect(results.map((result) => result.status)).toEqual(expectedStatuses(shape, records))

    const inserted: Array<StoredRecord> = []
    results.forEach((result, index) => {
      const input = records[index]
      if (result.status !== "inserted") expectExplained(shape, result, input)
      else if (isStorable(shape, input)) inserted.push(input)
    })
    const expected = inserted.map((record) => storedForm(shape, record)).sort((a, b) => Number(a["id"]) - Number(b["id"]))
    // Nothing but the inserted records, each exactly as given, whichever way it is read.
    expect(rows).toEqual(expected)
    expect(byKey).toEqual(expected)
    expect(yield* queryFile(file, `SELECT count(*) FROM ${shape.shard.table}`)).toEqual([[inserted.length]])
    // Byte-exact: the file holds the UTF-8 of the input, NUL characters included.
    const sortedInputs = [...inserted].sort((a, b) => Number(a["id"]) - Number(b["id"]))
    const bytes = yield* textBytesInFile(shape, file)
    if (bytes.length > 0) expect(bytes).toEqual(sortedInputs.map((record) => utf8Hex(shape, record)))
  })

describe("hostile records", () => {
  for (const shape of [usersShape, productsShape, ordersShape]) {
    it(`each ${shape.shard.model} is stored exactly or rejected naming its field; nothing else lands`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(hostileRecord(shape.fields), { maxLength: 12 }), (records) =>
          Effect.runPromise(Effect.scoped(storedExactlyOrExplained(shape, records)))
        ),
        { numRuns: 50 }
      )
    })
  }
})

describe("hostile records, by example", () => {
  const issuesOf = (result: RecordResult | undefined) => result?.issues.map(({ field, rule }) => ({ field, rule }))

  it.effect("-0 is stored, and read back, as 0: SQLite has one zero, so a later 0 is a duplicate key", () =>
    Effect.gen(function* () {
      const { results, rows } = yield* loadThenReadBack(ordersShape, [
        { id: -0, user_id: 1, product_id: 1, quantity: 1 },
        { id: 0, user_id: 2, product_id: 2, quantity: 2 }
      ])
      expect(results.map((result) => result.status)).toEqual(["inserted", "failed"])
      expect(rows).toEqual([{ id: 0, user_id: 1, product_id: 1, quantity: 1 }])
      expect(Object.is(rows[0]?.["id"], 0)).toBe(true)
    })
  )

  it.effect("integers beyond 2^53 are refused for an integer field, naming it; a REAL field keeps them exactly", () =>
    Effect.gen(function* () {
      const { results, rows } = yield* loadThenReadBack(productsShape, [
        { id: 2 ** 53, name: "past safe", price: 1 },
        { id: 1, name: "big price", price: 2 ** 60 },
        { id: 2, name: "huge price", price: Number.MAX_VALUE }
      ])
      expect(issuesOf(results[0])).toEqual([{ field: "id", rule: "type" }])
      expect(results[0]?.issues[0]?.message).toMatch(/^id: Expected an integer/)
      expect(rows).toEqual([
        { id: 1, name: "big price", price: 2 ** 60 },
        { id: 2, name: "huge price", price: Number.MAX_VALUE }
      ])
    })
  )

  it.effect.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("%s is refused for every numeric field, naming it", (value) =>
    Effect.gen(function* () {
      const { results, rows } = yield* loadThenReadBack(ordersShape, [{ id: value, user_id: value, product_id: 1, quantity: value }])
      expect(issuesOf(results[0])).toEqual([
        { field: "id", rule: "type" },
        { field: "user_id", rule: "type" },
        { field: "quantity", rule: "type" }
      ])
      expect(rows).toEqual([])
    })
  )

  it.effect("NUL, astral characters and SQL meta-characters are stored and read back byte for byte", () =>
    Effect.gen(function* () {
      const name = "'); DROP TABLE users; --\u0000\"%_😀\u{10FFFF}"
      const email = `\u0000${"é".repeat(1000)}\u0000`
      const { rows, file } = yield* loadThenReadBack(usersShape, [{ id: 1, name, email }])
      expect(rows).toEqual([{ id: 1, name, email }])
      expect(yield* textBytesInFile(usersShape, file)).toEqual([utf8Hex(usersShape, { id: 1, name, email })])
      expect(yield* queryFile(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).toEqual([["_migrations"], ["users"]])
    })
  )

  it.effect("__proto__, constructor and prototype given as own keys (as JSON.parse makes them) are unknown fields", () =>
    Effect.gen(function* () {
      const records: Array<unknown> = [
        JSON.parse('{"id": 1, "name": "a", "email": "b", "__proto__": {"polluted": true}}'),
        JSON.parse('{"id": 2, "name": "a", "email": "b", "constructor": {"prototype": {"polluted": true}}}'),
        JSON.parse('{"id": 3, "name": "a", "__proto__": "b", "prototype": 1}')
      ]
      const { results, rows } = yield* loadThenReadBack(usersShape, records)
      expect(results.map(issuesOf)).toEqual([
        [{ field: "__proto__", rule: "unknown-field" }],
        [{ field: "constructor", rule: "unknown-field" }],
        [
          { field: "__proto__", rule: "unknown-field" },
          { field: "prototype", rule: "unknown-field" },
          { field: "email", rule: "required" }
        ]
      ])
      expect(rows).toEqual([])
      expect(Reflect.get({}, "polluted")).toBeUndefined()
    })
  )
})
