import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { parseInputSpec } from "./input-spec.ts"

describe("parseInputSpec", () => {
  it.each([
    ["users=path/to/file.csv", { shard: "users", path: "path/to/file.csv" }],
    ["Product=-", { shard: "Product", path: "-" }],
    ["orders=data/a=b.ndjson", { shard: "orders", path: "data/a=b.ndjson" }]
  ])("reads %s", (spec, expected) => {
    expect(parseInputSpec(spec)).toEqual(Result.succeed(expected))
  })

  it.each(["users", "=data/users.csv", "users=", ""])("refuses %j, saying what is expected", (spec) => {
    const error = Result.getOrThrow(Result.flip(parseInputSpec(spec)))
    expect(error._tag).toBe("InputError")
    expect(error.message).toBe(`cannot read input ${spec}: expected SHARD=PATH, e.g. users=data/users.csv (PATH - is stdin)`)
  })
})
