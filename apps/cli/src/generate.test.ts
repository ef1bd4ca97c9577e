import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Result } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"

import { runCli } from "./testing.ts"

// End to end: the built CLI as a user runs it.
const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => runCli(args, { env })

interface GeneratedJson {
  readonly shard: string
  readonly file: string
  readonly records: number
  readonly valid: number
  readonly invalid: number
  readonly invalidByRule: Readonly<Record<string, number>>
}

const generate = async (outDir: string, ...args: ReadonlyArray<string>): Promise<ReadonlyArray<GeneratedJson>> => {
  const result = await run(["generate", "--out", outDir, "--json", ...args])
  expect(result).toMatchObject({ code: 0, stderr: "" })
  return JSON.parse(result.stdout)
}

const read = (path: string) => readFile(path, "utf8")

/** The shards `generate` can write: those that declare generators, which a plugin may leave out. */
const generatable = shards.filter((shard) => shard.generators !== undefined)
/**
 * The selection that writes every one of them: none, which means every shard, when all of them
 * can; else each named, since `generate` refuses a shard that cannot.
 */
const everyGeneratable: ReadonlyArray<string> = generatable.length === shards.length ? [] : generatable.flatMap((shard) => ["--shard", shard.name])

/** What each line of a generated file actually is, by the shard's own validator: `valid` or the rule it breaks. */
const tallyLines = (shardName: string, text: string): Record<string, number> => {
  const shard = shards.find((each) => each.name === shardName)
  if (shard === undefined) throw new Error(`no shard ${shardName}`)
  const tally: Record<string, number> = {}
  for (const line of text.split("\n").slice(0, -1)) {
    const validation = shard.validate(JSON.parse(line))
    const outcome = Result.isSuccess(validation) ? "valid" : validation.failure.map((issue) => issue.rule).join("+")
    tally[outcome] = (tally[outcome] ?? 0) + 1
  }
  return tally
}

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-generate-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("distributed-insert generate", () => {
  it("writes <out>/<shard>.ndjson for every shard, count lines each, with the invalid records it reports", async () => {
    const outDir = join(dir, "nested", "gen")
    const files = await generate(outDir, "--count", "2000", "--invalid-ratio", "0.2", "--seed", "7", ...everyGeneratable)
    expect(files.map((file) => [file.shard, file.file, file.records])).toEqual(generatable.map(({ name }) => [name, join(outDir, `${name}.ndjson`), 2000]))
    expect((await readdir(outDir)).sort()).toEqual(generatable.map(({ name }) => `${name}.ndjson`).sort())
    for (const file of files) {
      const text = await read(file.file)
      expect(text.split("\n").slice(0, -1).map((line) => JSON.parse(line).id)).toEqual(Array.from({ length: 2000 }, (_, index) => index + 1))
      expect(tallyLines(file.shard, text)).toEqual({ valid: file.valid, ...file.invalidByRule })
      expect(file.valid + file.invalid).toBe(2000)
      expect(file.invalid).toBeGreaterThan(0)
    }
  })

  it("writes the same bytes for the same seed, and other bytes for another seed", async () => {
    await generate(join(dir, "a"), "--count", "1000", "--seed", "3", ...everyGeneratable)
    await generate(join(dir, "b"), "--count", "1000", "--seed", "3", ...everyGeneratable)
    await generate(join(dir, "c"), "--count", "1000", "--seed", "4", ...everyGeneratable)
    for (const { name } of generatable) {
      const [a, b, c] = await Promise.all(["a", "b", "c"].map((run) => read(join(dir, run, `${name}.ndjson`))))
      expect(b).toBe(a)
      expect(c).not.toBe(a)
    }
  })

  it("writes only the shards named with --shard, with the data they have when all are generated", async () => {
    await generate(join(dir, "all"), "--count", "500", "--seed", "9", ...everyGeneratable)
    const files = await generate(join(dir, "one"), "--count", "500", "--seed", "9", "--shard", "Product")
    expect(files.map((file) => file.shard)).toEqual(["products"])
    expect(await readdir(join(dir, "one"))).toEqual(["products.ndjson"])
    expect(await read(join(dir, "one", "products.ndjson"))).toBe(await read(join(dir, "all", "products.ndjson")))
  })

  it("prints one line per shard, its --out resolved where the user ran the command", async () => {
    const result = await run(["generate", "--count", "300", "--out", "gen", ...everyGeneratable], { INIT_CWD: dir })
    expect(result.code).toBe(0)
    // Columns as wide as the longest shard name and path: `users     gen/users.ndjson     300 records, ...`.
    const paths = generatable.map(({ name }) => `gen/${name}.ndjson`)
    const nameWidth = Math.max(...generatable.map(({ name }) => name.length))
    const pathWidth = Math.max(...paths.map((path) => path.length))
    const lines = result.stdout.trimEnd().split("\n")
    expect(lines).toHaveLength(generatable.length)
    generatable.forEach((shard, index) => {
      const columns = `${shard.name.padEnd(nameWidth)}  ${(paths[index] ?? "").padEnd(pathWidth)}  `
      const perRule = shard.rules.map((rule) => `${rule.name} \\d+`).join(", ")
      expect(lines[index]?.startsWith(columns), lines[index]).toBe(true)
      expect(lines[index]?.slice(columns.length)).toMatch(new RegExp(`^300 records, \\d+ invalid \\(${perRule}\\)$`))
    })
    expect((await read(join(dir, "gen", "users.ndjson"))).split("\n")).toHaveLength(301)
  })
})

describe("generate usage errors exit 2, writing nothing", () => {
  it.each([
    [["--count", "-1"]],
    [["--count", "1.5"]],
    [["--count", "10", "--invalid-ratio", "1.5"]],
    [["--count", "10", "--invalid-ratio", "-0.1"]],
    [["--count", "10", "--shard", "nope"]],
    [[]]
  ])("%j", async (args) => {
    const result = await run(["generate", "--out", join(dir, "gen"), ...args])
    expect(result.code).toBe(2)
    expect(result.stderr).not.toBe("")
    expect(await readdir(dir)).toEqual([])
  })
})
