import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { Effect } from "effect"
import type { GeneratedCounts, GenerateOptions } from "./generate.ts"
import { writeGeneratedShard } from "./write-generated-shard.ts"

export interface GenerateFilesOptions extends GenerateOptions {
  /** Where the `<shard>.ndjson` files go; created if needed. */
  readonly outDir: string
}

/** One shard's generated file and what is in it. */
export interface GeneratedFile {
  readonly shard: string
  readonly path: string
  readonly counts: GeneratedCounts
}

/**
 * Writes `<outDir>/<shard>.ndjson` for every shard of `shards` (see `writeGeneratedShard`), all
 * concurrently, and reports them in that order. The first failure stops the others, whose
 * files are then left as they were.
 */
export const generateFiles = (shards: ReadonlyArray<Shard>, options: GenerateFilesOptions) =>
  Effect.forEach(
    shards,
    (shard) => {
      const path = join(options.outDir, `${shard.name}.ndjson`)
      return Effect.map(writeGeneratedShard(shard, path, options), (counts): GeneratedFile => ({ shard: shard.name, path, counts }))
    },
    { concurrency: "unbounded" }
  )
