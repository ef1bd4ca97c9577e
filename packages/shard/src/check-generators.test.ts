import { describe, expect, it } from "@effect/vitest"
import { checkGenerators } from "./check-generators.ts"
import { tagGenerators, tagShard } from "./tag-shard.ts"

describe("checkGenerators", () => {
  it("finds nothing wrong with generators that keep their promise", () => {
    expect(checkGenerators(tagShard())).toEqual([])
  })

  it("reports a shard that declares no generators", () => {
    expect(checkGenerators(tagShard({ generators: null }))).toEqual(["shard tags declares no generators"])
  })

  it("reports each id whose invalid record breaks another rule as well", () => {
    const alsoBreaksStars = tagShard({
      generators: { ...tagGenerators, invalid: { ...tagGenerators.invalid, "label-required": (id) => ({ id, label: "", stars: id % 2 === 0 ? 3 : 9 }) } }
    })
    expect(checkGenerators(alsoBreaksStars, 4)).toEqual([
      "id 1: the label-required generator made a record that breaks label-required, stars-range",
      "id 3: the label-required generator made a record that breaks label-required, stars-range"
    ])
  })

  it("reports invalid records that break nothing, and valid ones that break something", () => {
    const backwards = tagShard({
      generators: {
        valid: (id) => ({ id, label: "", stars: 3 }),
        invalid: { ...tagGenerators.invalid, "stars-range": (id) => ({ id, label: "fine", stars: 3 }) }
      }
    })
    expect(checkGenerators(backwards, 1)).toEqual([
      "id 1: the valid generator made a record that breaks label-required",
      "id 1: the stars-range generator made a record that breaks nothing"
    ])
  })

  it("checks records as read back from JSON, where NaN becomes null", () => {
    const nanStars = tagShard({ generators: { ...tagGenerators, valid: (id) => ({ id, label: "nan", stars: Number.NaN }) } })
    expect(checkGenerators(nanStars, 1)).toEqual(["id 1: the valid generator made a record that breaks type"])
  })
})
