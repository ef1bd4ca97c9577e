import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Readable } from "node:stream"
import { memoryInput, readNdjson, type ShardInput } from "@distributed-insert/input"
import { defineShard, MAX_ISSUES, MAX_NESTING_DEPTH, MAX_RECORD_VALUES } from "@distributed-insert/shard"
import { nested } from "@distributed-insert/shard/testing"
import { orders } from "@distributed-insert/shard-orders"
import { users } from "@distributed-insert/shard-users"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import fc from "fast-check"
import { openedInput } from "./input-source.ts"
import { listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import { tempDir, testLayer } from "./testing.ts"

const wide = (keys: number): Record<string, number> => Object.fromEntries(Array.from({ length: keys }, (_, index) => [`k${index}`, index]))

const issuesOf = (input: unknown) => Result.getOrThrowWith(Result.flip(users.validate(input)), () => new Error("the record was accepted"))

describe("a record out of bounds", () => {
  it("is refused by the validator with one issue, however deep or wide, before the decoder recurses into it", () => {
    expect(issuesOf({ id: 1, name: nested(5_000), email: "a@b" })).toEqual([
      { kind: "validation", field: "name", rule: "too-deep", message: `the record nests deeper than ${MAX_NESTING_DEPTH} levels` }
    ])
    expect(issuesOf({ id: 1, name: nested(1_000_000), email: "a@b" })).toMatchObject([{ rule: "too-deep" }])
    expect(issuesOf({ id: 1, name: "a", email: "b", ...wide(200_000) })).toEqual([
      { kind: "validation", field: null, rule: "too-large", message: `the record holds more than ${MAX_RECORD_VALUES.toLocaleString("en-US")} values` }
    ])
  })

  it(`lists at most ${MAX_ISSUES} issues, then says how many more there were`, () => {
    const issues = issuesOf({ id: 1, name: "a", email: "b", ...wide(MAX_ISSUES + 50) })
    expect(issues).toHaveLength(MAX_ISSUES + 1)
    expect(issues.at(-1)).toEqual({ kind: "validation", field: null, rule: "more-issues", message: "and 50 more issues, not listed" })
  })

  it("never crashes the validator, whatever the record: it is a row or it is explained", () => {
    const shapes = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, fc.jsonValue(), fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fc.string(), tie("value"), { maxKeys: 3 }))
    }))
    fc.assert(
      fc.property(shapes.value, fc.nat({ max: 3 * MAX_NESTING_DEPTH }), (value, depth) => {
        const validation = users.validate({ id: 1, name: nested(depth), email: value })
        expect(Result.isFailure(validation) && validation.failure.length > 0 && validation.failure.length <= MAX_ISSUES + 1).toBe(true)
      })
    )
  })

  it.effect("is rejected alone while the other shard (a fiber) loads, and every report keeps what it can write", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const records = [
        { id: 1, name: "Ada", email: "ada@example.com" },
        { id: 2, name: nested(5_000), email: "deep@example.com" },
        { id: 3, name: "Wide", email: "w@example.com", ...wide(200_000) },
        { id: 4, name: "Bob", email: "bob@example.com" }
      ]
      const inputs = (shard: { readonly name: string }): ShardInput =>
        shard.name === "users" ? memoryInput(records, "hostile") : memoryInput([{ id: 1, user_id: 1, product_id: 1, quantity: 2 }], "orders")
      const reportPath = join(dir, "report.ndjson")
      const report = yield* populate({
        inputs: (shard) => openedInput(inputs(shard)),
        settings: { batchSize: 1 },
        files: (shard) => ({ rejected: join(dir, `${shard.name}.rejected.ndjson`), report: { path: reportPath, spool: join(dir, `${shard.name}.spool`) } })
      }).pipe(Effect.provide(testLayer([users, orders], dir)))

      const [usersReport, ordersReport] = report.shards
      expect(usersReport).toMatchObject({ error: null, counts: { processed: 4, inserted: 2, invalid: 2 } })
      expect(ordersReport).toMatchObject({ error: null, counts: { processed: 1, inserted: 1 } })
      expect(usersReport?.records?.map((result) => result.issues.map((issue) => issue.rule))).toEqual([[], ["too-deep"], ["too-large"], []])
      // The data of a record out of bounds is a note, not the record: every writer of it recurses.
      expect(usersReport?.records?.[1]?.data).toBe(`(not shown: the record nests deeper than ${MAX_NESTING_DEPTH} levels)`)
      expect(() => structuredClone(report)).not.toThrow()
      const logged = (yield* Effect.promise(() => readFile(reportPath, "utf8"))).trim().split("\n").map((line) => JSON.parse(line))
      expect(logged.filter((line) => line.shard === "users" && "position" in line).map((line) => line.status)).toEqual(["inserted", "invalid", "invalid", "inserted"])
      const stored = yield* listRecords("User").pipe(Effect.provide(testLayer([users, orders], dir)))
      expect(stored.rows.map((row) => row["id"])).toEqual([1, 4])
    })
  )

  it.effect("read from NDJSON, is one rejected line among good ones, with its text in the report", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const lines = [
        '{"id":1,"name":"Ada","email":"a@x"}',
        `{"id":2,"name":${"[".repeat(5_000)}${"]".repeat(5_000)},"email":"b@x"}`,
        JSON.stringify({ id: 3, name: "W", email: "w@x", ...wide(200_000) }),
        '{"id":4,"name":"Bob","email":"b@x"}'
      ]
      const input: ShardInput = { source: readNdjson(Readable.from([`${lines.join("\n")}\n`])), origin: "lines.ndjson", textValues: false }
      const report = yield* populate({ inputs: () => openedInput(input) }).pipe(Effect.provide(testLayer([users], dir)))
      const records = report.shards[0]?.records ?? []
      expect(records.map((result) => [result.line, result.status, result.issues[0]?.rule])).toEqual([
        [1, "inserted", undefined],
        [2, "invalid", "too-deep"],
        [3, "invalid", "too-large"],
        [4, "inserted", undefined]
      ])
      expect(records[1]?.data).toEqual(expect.stringMatching(/^\{"id":2,"name":\[{100}/))
      expect(String(records[2]?.data).length).toBeLessThanOrEqual(1_001)
    })
  )
})

describe("a validator that throws", () => {
  const fragile = defineShard({
    name: "fragile",
    model: "Fragile",
    table: "fragile",
    record: Schema.Struct({ id: Schema.Int, name: Schema.String }),
    primaryKey: "id",
    rules: (rule) => [
      rule({
        name: "not-cursed",
        message: "Name cannot be cursed",
        fields: ["name"],
        holds: (name) => {
          if (name === "cursed") throw new TypeError("the rule did not expect this")
          return true
        }
      })
    ],
    migrations: [{ version: 1, description: "create fragile", sql: "CREATE TABLE fragile (id INTEGER PRIMARY KEY, name TEXT NOT NULL)" }],
    sample: []
  })

  it.effect("rejects that record, saying why, and loads the others", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const records = [{ id: 1, name: "a" }, { id: 2, name: "cursed" }, { id: 3, name: "c" }]
      const report = yield* populate({ inputs: () => openedInput(memoryInput(records, "fragile")) }).pipe(Effect.provide(testLayer([fragile], dir)))
      const shard = report.shards[0]
      expect(shard).toMatchObject({ error: null, counts: { processed: 3, inserted: 2, invalid: 1 } })
      expect(shard?.records?.[1]?.issues).toEqual([
        { kind: "validation", field: null, rule: "validator-error", message: "the record could not be validated: TypeError: the rule did not expect this" }
      ])
    })
  )
})
