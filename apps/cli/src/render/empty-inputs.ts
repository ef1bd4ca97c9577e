import type { RunReport } from "@distributed-insert/pipeline"
import { displayPath } from "../common-options.ts"

/**
 * A line for stderr per shard that read an input holding no records (an empty `.json`, an
 * NDJSON file of blank lines, `/dev/null` as stdin): "0/0 inserted" alone looks like a load that
 * silently did nothing, when the input was the cause. Shards that failed say why elsewhere.
 */
export const emptyInputNotes = (report: RunReport): ReadonlyArray<string> =>
  report.shards
    .filter((shard) => shard.error === null && shard.counts.processed === 0 && shard.input !== "sample data")
    .map((shard) => `note: shard ${shard.shard}: the input ${shard.input === "stdin" ? "stdin" : displayPath(shard.input)} held no records`)
