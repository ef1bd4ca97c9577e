import type { Shard } from "@distributed-insert/shard"
import type { ShardInput, SourceItem } from "./record-source.ts"

/** Records already in memory (a shard's sample data, a test's fixture) as an input; line = position. */
export const memoryInput = (records: ReadonlyArray<unknown>, origin: string): ShardInput => {
  let done = 0
  function* chunks(): Generator<ReadonlyArray<SourceItem>> {
    const size = 4096
    for (let start = 0; start < records.length; start += size) {
      const chunk = records.slice(start, start + size).map((value, offset): SourceItem => ({ _tag: "Record", line: start + offset + 1, value }))
      done = start + chunk.length
      yield chunk
    }
  }
  return { source: chunks(), origin, textValues: false, progress: () => ({ done, total: records.length }) }
}

export const sampleInput = (shard: Shard): ShardInput => memoryInput(shard.sample, "sample data")
