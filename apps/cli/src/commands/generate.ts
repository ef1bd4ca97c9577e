import { resolve } from "node:path"
import { type GeneratedFile, generateFiles, ShardRegistry } from "@distributed-insert/core"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { displayPath, invocationDir, json, shardSelection } from "../common-options.ts"
import { shards } from "../plugins.ts"

const count = Options.integer("count").pipe(
  Options.withDescription("Records per shard (ids 1 to N)"),
  Options.filterMap((value) => Option.liftPredicate(value, (n) => Number.isSafeInteger(n) && n >= 0), "--count must be an integer, 0 or more")
)

const invalidRatio = Options.float("invalid-ratio").pipe(
  Options.withDescription("Share of the records that break one of their shard's rules, from 0 to 1; default 0.1"),
  Options.withDefault(0.1),
  Options.filterMap((value) => Option.liftPredicate(value, (ratio) => ratio >= 0 && ratio <= 1), "--invalid-ratio must be from 0 to 1")
)

const seed = Options.integer("seed").pipe(
  Options.withDescription("The same seed gives byte-identical files; default 1"),
  Options.withDefault(1),
  Options.filterMap((value) => Option.liftPredicate(value, Number.isSafeInteger), "--seed must be an integer")
)

const out = Options.text("out").pipe(
  Options.withDescription("Directory for the <shard>.ndjson files; created if needed"),
  Options.map((dir) => resolve(invocationDir(), dir))
)

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
    const files = yield* generateFiles({
      count: options.count,
      invalidRatio: options.invalidRatio,
      seed: options.seed,
      outDir: options.out,
      shards: options.shard
    }).pipe(Effect.provide(ShardRegistry.layer(shards)))
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
).pipe(
  Command.withDescription(
    "Write reproducible synthetic records for every shard, some breaking one rule each, as <out>/<shard>.ndjson"
  )
)
