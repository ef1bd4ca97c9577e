import type { Shard } from "@distributed-insert/shard"
import { tagGenerators, tagShard } from "@distributed-insert/shard/testing"
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { type GeneratedCounts, type GenerateOptions, generateNdjson, generateRecords } from "./generate.ts"
import { GeneratorsMissingError } from "./generate-errors.ts"

const tags = tagShard()

/** The whole NDJSON text of a generation and the counts it returned. */
const ndjson = (shard: Shard, options: GenerateOptions): { readonly text: string; readonly chunks: number; readonly counts: GeneratedCounts } => {
  const generation = Result.getOrThrow(generateNdjson(shard, options))
  const decoder = new TextDecoder()
  let text = ""
  let chunks = 0
  let next = generation.next()
  while (next.done !== true) {
    text += decoder.decode(next.value, { stream: true })
    chunks++
    next = generation.next()
  }
  return { text: text + decoder.decode(), chunks, counts: next.value }
}

const linesOf = (text: string): Array<string> => text.split("\n").slice(0, -1)

/** The rule each line breaks according to the shard's own validator; null for a valid line. */
const brokenRuleOfEachLine = (shard: Shard, text: string): Array<string | null> =>
  linesOf(text).map((line) => {
    const validation = shard.validate(JSON.parse(line))
    return Result.isSuccess(validation) ? null : validation.failure.map((issue) => issue.rule).join("+")
  })

describe("generateNdjson", () => {
  it("writes one record per line, ids 1 to count", () => {
    const { text } = ndjson(tags, { count: 500, invalidRatio: 0.2, seed: 7 })
    expect(text.endsWith("\n")).toBe(true)
    expect(linesOf(text).map((line) => JSON.parse(line).id)).toEqual(Array.from({ length: 500 }, (_, index) => index + 1))
  })

  it("gives the same bytes for the same seed, and other bytes for another seed", () => {
    const options = { count: 2000, invalidRatio: 0.3, seed: 42 }
    expect(ndjson(tags, options).text).toBe(ndjson(tags, options).text)
    expect(ndjson(tags, { ...options, seed: 43 }).text).not.toBe(ndjson(tags, options).text)
  })

  it("gives each shard its own stream, derived from the seed and the shard's name", () => {
    const options = { count: 1000, invalidRatio: 0.3, seed: 42 }
    expect(ndjson(tagShard({ name: "labels" }), options).text).not.toBe(ndjson(tags, options).text)
    expect(ndjson(tagShard({ name: "labels" }), options).text).toBe(ndjson(tagShard({ name: "labels" }), options).text)
  })

  it("counts what it wrote: each invalid record breaks the one rule it is counted under", () => {
    const { text, counts } = ndjson(tags, { count: 10_000, invalidRatio: 0.1, seed: 3 })
    const broken = brokenRuleOfEachLine(tags, text)
    const tally = (rule: string | null) => broken.filter((each) => each === rule).length
    expect(counts).toEqual({
      total: 10_000,
      valid: tally(null),
      invalid: 10_000 - tally(null),
      invalidByRule: { "label-required": tally("label-required"), "stars-range": tally("stars-range") }
    })
    expect(tally(null) + tally("label-required") + tally("stars-range")).toBe(10_000)
  })

  it("makes about invalidRatio of the records invalid, the rules picked about evenly", () => {
    const { counts } = ndjson(tags, { count: 20_000, invalidRatio: 0.25, seed: 11 })
    expect(counts.invalid).toBeGreaterThan(4_600)
    expect(counts.invalid).toBeLessThan(5_400)
    for (const perRule of Object.values(counts.invalidByRule)) {
      expect(perRule).toBeGreaterThan(counts.invalid * 0.45)
      expect(perRule).toBeLessThan(counts.invalid * 0.55)
    }
  })

  it.each([
    [0, { valid: 300, invalid: 0 }],
    [1, { valid: 0, invalid: 300 }]
  ])("with invalidRatio %d, makes every record valid or every record invalid", (invalidRatio, expected) => {
    expect(ndjson(tags, { count: 300, invalidRatio, seed: 5 }).counts).toMatchObject(expected)
  })

  it("lists every rule in the counts, in declaration order, even when none was broken", () => {
    const { text, chunks, counts } = ndjson(tags, { count: 0, invalidRatio: 0.5, seed: 1 })
    expect([text, chunks]).toEqual(["", 0])
    expect(counts).toEqual({ total: 0, valid: 0, invalid: 0, invalidByRule: { "label-required": 0, "stars-range": 0 } })
    expect(Object.keys(counts.invalidByRule)).toEqual(["label-required", "stars-range"])
  })

  it("yields chunks of whole lines of at most a megabyte, several for a large count", () => {
    const generation = Result.getOrThrow(generateNdjson(tags, { count: 60_000, invalidRatio: 0.1, seed: 2 }))
    const chunks = [...generation]
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks) {
      expect(chunk.at(-1)).toBe(0x0a)
      expect(chunk.length).toBeLessThanOrEqual(2 ** 20)
    }
  })

  it("encodes text as UTF-8, a line longer than a chunk included", () => {
    const long = tagShard({ generators: { ...tagGenerators, valid: (id) => ({ id, label: id === 2 ? "é".repeat(600_000) : "thé ☕", stars: 3 }) } })
    const { text } = ndjson(long, { count: 3, invalidRatio: 0, seed: 1 })
    expect(linesOf(text).map((line) => JSON.parse(line).label)).toEqual(["thé ☕", "é".repeat(600_000), "thé ☕"])
  })
})

describe("generateRecords", () => {
  it("gives the same records when iterated again", () => {
    const records = Result.getOrThrow(generateRecords(tags, { count: 100, invalidRatio: 0.5, seed: 9 }))
    expect([...records]).toEqual([...records])
  })

  it("fails with GeneratorsMissingError naming a shard that declares no generators", () => {
    const result = generateRecords(tagShard({ generators: null }), { count: 1, invalidRatio: 0, seed: 1 })
    expect(result).toEqual(Result.fail(new GeneratorsMissingError({ shard: "tags", rules: [] })))
    expect(Result.isFailure(result) && result.failure.message).toBe("shard tags declares no generators, so it cannot generate data")
  })

  it("fails naming the rules a hand-built shard has no invalid generator for", () => {
    const shard = tagShard({ generators: null })
    const partial: Shard = { ...shard, generators: { valid: (id) => ({ id }), invalid: { "stars-range": (id) => ({ id }) } } }
    const result = generateRecords(partial, { count: 1, invalidRatio: 0, seed: 1 })
    expect(result).toEqual(Result.fail(new GeneratorsMissingError({ shard: "tags", rules: ["label-required"] })))
  })

  it.each([
    [{ count: -1, invalidRatio: 0, seed: 1 }, /count must be a non-negative integer/],
    [{ count: 1.5, invalidRatio: 0, seed: 1 }, /count must be a non-negative integer/],
    [{ count: 1, invalidRatio: 1.01, seed: 1 }, /invalidRatio must be between 0 and 1/],
    [{ count: 1, invalidRatio: Number.NaN, seed: 1 }, /invalidRatio must be between 0 and 1/],
    [{ count: 1, invalidRatio: 0, seed: 0.5 }, /seed must be an integer/]
  ])("refuses out-of-range options %j", (options, message) => {
    expect(() => generateRecords(tags, options)).toThrow(message)
  })
})
