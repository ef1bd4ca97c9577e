import { memoryInput } from "@distributed-insert/input"
import { users } from "@distributed-insert/shard-users"
import { SQLJS_TEXT_RULES } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { openedInput } from "./input-source.ts"
import { listRecords } from "./inspect.ts"
import { populate } from "./populate.ts"
import { tempDir, testLayer } from "./testing.ts"

// What the pipeline validates records bound for sql.js with.
const validators = users.validatorsFor(SQLJS_TEXT_RULES)

const issuesOf = (input: unknown) =>
  Result.getOrThrowWith(Result.flip(validators.validate(input)), () => new Error("the record was accepted")).map(({ field, rule, message }) => ({
    field,
    rule,
    message
  }))

const unpaired = { rule: "unpaired-surrogate", message: "Text cannot contain an unpaired surrogate (it is not valid Unicode)" }
const byteOrderMark = { rule: "leading-byte-order-mark", message: "Text cannot start with a byte order mark (U+FEFF): it would be lost" }

describe("text that would not read back as given", () => {
  it.each(["\uD800", "a\uDBFFb", "\uDC00", "😀\uDE00", "\uDE00\uD83D"])("refuses the lone surrogate in %j, naming the field", (name) => {
    expect(issuesOf({ id: 1, name, email: "e" })).toEqual([{ field: "name", ...unpaired }])
  })

  it("refuses a byte order mark at the start, which sql.js drops when it reads text", () => {
    expect(issuesOf({ id: 1, name: "n", email: "\uFEFFe" })).toEqual([{ field: "email", ...byteOrderMark }])
  })

  it("reports every such field, before the rules, and the rules still run", () => {
    expect(issuesOf({ id: 1, name: "\uD800", email: "" }).map((issue) => [issue.field, issue.rule])).toEqual([
      ["name", "unpaired-surrogate"],
      ["email", "email-required"]
    ])
  })

  it("checks records read as text (CSV) the same way", () => {
    expect(Result.flip(validators.validateText({ id: "1", name: "\uFEFF", email: "\uDFFF" }))).toEqual(
      Result.succeed([
        { kind: "validation", field: "name", ...byteOrderMark },
        { kind: "validation", field: "email", ...unpaired }
      ])
    )
  })

  it("accepts paired surrogates, NUL and a byte order mark anywhere but first", () => {
    for (const text of ["😀", "\uD83D\uDE00", "\u{10FFFF}", "\u0000", "a\uFEFF", ""]) expect(SQLJS_TEXT_RULES.filter((rule) => rule.breaks(text))).toEqual([])
  })

  it.effect("what it accepts reads back exactly from the file; what it refuses never lands", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const records = [
        { id: 1, name: "a\uFEFF", email: "😀\u0000" },
        { id: 2, name: "\uFEFFb", email: "e" },
        { id: 3, name: "c", email: "\uD800" }
      ]
      const report = yield* populate({ inputs: () => openedInput(memoryInput(records, "test")) }).pipe(Effect.provide(testLayer([users], dir)))
      expect(report.shards[0]?.records?.map((record) => record.status)).toEqual(["inserted", "invalid", "invalid"])
      const stored = yield* listRecords(users.model).pipe(Effect.provide(testLayer([users], dir)))
      expect(stored.rows).toEqual([records[0]])
    })
  )
})
