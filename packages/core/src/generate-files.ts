import { join } from "node:path"
import { Effect } from "effect"
import type { GenerateOptions, GeneratedCounts } from "./generate.ts"
import { selectShards } from "./select-shards.ts"
import { writeGeneratedShard } from "./write-generated-shard.ts"

export interface GenerateFilesOptions extends GenerateOptions {
  /** Where the `<shard>.ndjson` files go; created if needed. */
  readonly outDir: string
  /** Shards to generate, by shard or model name; all registered shards when empty. */
  readonly shards?: ReadonlyArray<string>
}

/** One shard's generated file and what is in it. */
export interface GeneratedFile {
  readonly shard: string
  readonly path: string
  readonly counts: GeneratedCounts
}

/**
 * Writes `<outDir>/<shard>.ndjson` for every selected registered shard (see
 * `writeGeneratedShard`), all concurrently, and reports them in registration order. The first
 * failure stops the others, whose files are then left as they were.
 */
export const generateFiles = (options: GenerateFilesOptions) =>
  Effect.gen(function* () {
    const shards = yield* selectShards(options.shards)
    return yield* Effect.forEach(
      shards,
      (shard) => {
        const path = join(options.outDir, `${shard.name}.ndjson`)
        return Effect.map(writeGeneratedShard(shard, path, options), (counts): GeneratedFile => ({ shard: shard.name, path, counts }))
      },
      { concurrency: "unbounded" }
    )
  })
