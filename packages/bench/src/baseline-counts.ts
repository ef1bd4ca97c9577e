import { Schema } from "effect"

/** What the better-sqlite3 baseline script prints, one JSON line on stdout, for the count checks. */
export const BaselineCounts = Schema.Struct({
  shards: Schema.Array(
    Schema.Struct({
      shard: Schema.String,
      inserted: Schema.Natural,
      invalid: Schema.Natural,
      failed: Schema.Natural
    })
  )
})

export type BaselineCounts = typeof BaselineCounts.Type
export type ShardCounts = BaselineCounts["shards"][number]
