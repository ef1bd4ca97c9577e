import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import type { Migration } from "./migration.ts"
import { defineShard } from "./shard.ts"

const create: Migration = { version: 1, description: "create tags", sql: "CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT)" }

const tags = (overrides: { readonly name?: string; readonly migrations?: ReadonlyArray<Migration>; readonly duplicateRule?: boolean } = {}) =>
  defineShard({
    name: overrides.name ?? "tags",
    model: "Tag",
    table: "tags",
    record: Schema.Struct({ id: Schema.Int, label: Schema.String }),
    primaryKey: "id",
    rules: (rule) => [
      rule({ name: "label-required", message: "Label cannot be empty", fields: ["label"], holds: (label) => label.length > 0 }),
      ...(overrides.duplicateRule === true
        ? [rule({ name: "label-short", message: "Label cannot be empty", fields: ["label"], holds: (label) => label.length < 20 })]
        : [])
    ],
    migrations: overrides.migrations ?? [create],
    sample: [{ id: 1, label: "new" }]
  })

describe("defineShard", () => {
  it("describes the shard: columns in field order, rules in declaration order", () => {
    const shard = tags()
    expect(shard.name).toBe("tags")
    expect(shard.columns).toEqual(["id", "label"])
    expect(shard.primaryKey).toBe("id")
    expect(shard.rules).toEqual([{ name: "label-required", message: "Label cannot be empty" }])
  })

  it.each(["tags", "t", "order-lines_2"])("accepts the shard name %j", (name) => {
    expect(tags({ name }).name).toBe(name)
  })

  it.each(["../x", "a/b", "Users", "", "1st", "a.b", "x".repeat(64)])("rejects the shard name %j", (name) => {
    expect(() => tags({ name })).toThrow(/shard name is 1-63 characters/)
  })

  it.each([
    ["starting at 2", [{ ...create, version: 2 }]],
    ["with a gap", [create, { ...create, version: 3 }]],
    ["out of order", [{ ...create, version: 2 }, create]],
    ["repeating a version", [create, create]]
  ])("rejects migration versions %s", (_case, migrations) => {
    expect(() => tags({ migrations })).toThrow(/migration versions must be 1, 2, 3, \.\.\. in order/)
  })

  it("accepts no migrations at all", () => {
    expect(tags({ migrations: [] }).migrations).toEqual([])
  })

  it("rejects two rules with the same message", () => {
    expect(() => tags({ duplicateRule: true })).toThrow(`shard tags: rule messages must be distinct; "Label cannot be empty" appears twice`)
  })
})
