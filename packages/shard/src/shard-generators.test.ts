import { describe, expect, it } from "@effect/vitest"
import { tagGenerators, tagShard } from "./tag-shard.ts"

// `defineShard`'s checks of `generators`; its other declaration checks are in shard.test.ts.
describe("defineShard with generators", () => {
  it("keeps generators that cover exactly the rules", () => {
    expect(tagShard().generators).toBe(tagGenerators)
  })

  it("leaves generators out when none are declared", () => {
    expect(tagShard({ generators: null })).not.toHaveProperty("generators")
  })

  it("rejects generators with no invalid generator for a rule", () => {
    const { "stars-range": _left, ...invalid } = tagGenerators.invalid
    expect(() => tagShard({ generators: { ...tagGenerators, invalid } })).toThrow(
      'shard tags: `generators.invalid` has no generator for rule "stars-range"'
    )
  })

  it("rejects an invalid generator for a rule the shard does not have", () => {
    const invalid = { ...tagGenerators.invalid, "label-short": tagGenerators.valid }
    expect(() => tagShard({ generators: { ...tagGenerators, invalid } })).toThrow(
      'shard tags: `generators.invalid` names "label-short", which is not a rule (rules: label-required, stars-range)'
    )
  })
})
