import { resolve } from "node:path"
import { type GeneratedFile, generateFiles } from "@distributed-insert/generate"
import { ShardRegistry, selectShards } from "@distributed-insert/pipeline"
import { Console, Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { decimalNumber, displayPath, invocationDir, json, jsonHelp, shardSelection, shardSelectionHelp, wholeNumber } from "../common-options.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { shards } from "../plugins.ts"

const count = wholeNumber("count", 0)
const invalidRatio = decimalNumber("invalid-ratio", { min: 0, max: 1, expected: "a number from 0 to 1" }).pipe(Flag.withDefault(0.1))
const seed = wholeNumber("seed", Number.MIN_SAFE_INTEGER).pipe(Flag.withDefault(1))
const out = Flag.String("out").pipe(Flag.map((dir) => resolve(invocationDir(), dir)))

export const generateHelp: CommandHelp = {
  name: "generate",
  summary: "Write reproducible synthetic records for each shard, some breaking one rule each",
  details: ["Writes <DIR>/<shard>.ndjson for each selected shard, ids 1 to N. The same seed gives byte-identical files."],
  options: [
    { flag: "--count N", description: "Records per shard", required: true },
    { flag: "--out DIR", description: "Directory for the files, created if needed", required: true },
    { flag: "--invalid-ratio R", description: "Share of the records that break one of their shard's rules, from 0 to 1", default: "0.1" },
    { flag: "--seed S", description: "Seed of the generator", default: "1" },
    shardSelectionHelp,
    jsonHelp
  ],
  examples: ["distributed-insert generate --count 600000 --out gen"]
}

/** `users  data/gen/users.ndjson  1000 records, 98 invalid (email-required 51, name-required 47)` */
const renderFiles = (files: ReadonlyArray<GeneratedFile>): string => {
  const shardWidth = Math.max(0, ...files.map((file) => file.shard.length))
  const pathWidth = Math.max(0, ...files.map((file) => displayPath(file.path).length))
  return files
    .map(({ shard, path, counts }) => {
      const perRule = Object.entries(counts.invalidByRule).map(([rule, invalid]) => `${rule} ${invalid}`)
      const breakdown = perRule.length === 0 ? "" : ` (${perRule.join(", ")})`
      return `${shard.padEnd(shardWidth)}  ${displayPath(path).padEnd(pathWidth)}  ${counts.total} records, ${counts.invalid} invalid${breakdown}`
    })
    .join("\n")
}

export const generateCommand = Command.make("generate", { count, invalidRatio, seed, out, shard: shardSelection, json }, (options) =>
  Effect.gen(function* () {
    const selected = yield* selectShards(options.shard).pipe(Effect.provide(ShardRegistry.layer(shards)))
    const files = yield* generateFiles(selected, {
      count: options.count,
      invalidRatio: options.invalidRatio,
      seed: options.seed,
      outDir: options.out
    })
    if (!options.json) return yield* Console.log(renderFiles(files))
    const plain = files.map(({ shard, path, counts }) => ({
      shard,
      file: path,
      records: counts.total,
      valid: counts.valid,
      invalid: counts.invalid,
      invalidByRule: counts.invalidByRule
    }))
    yield* Console.log(JSON.stringify(plain, null, 2))
  })
).pipe(withHelp(generateHelp))
