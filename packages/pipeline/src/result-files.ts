import { join } from "node:path"
import type { DurableResultsFiles } from "./durable-results.ts"

/** Where a shard's results go besides the in-memory summary: NDJSON files, one result per line. */
export interface ResultFiles {
  /** Every record's result, appended to a report shared with other shards once it is durable. */
  readonly report?: DurableResultsFiles
  /** Only the rejected records' results. */
  readonly rejected?: string
}

/**
 * Each shard's result files in `dir`, a folder of the run's own that nothing else writes to:
 * its rejected records and, when the run writes a `report`, the spool its results wait in
 * until they are durable. By shard name, for a caller that reads a log back by the report's name.
 */
export const resultFilesIn =
  (dir: string, report?: string) =>
  (shard: { readonly name: string }): ResultFiles => ({
    rejected: join(dir, `${shard.name}.rejected.ndjson`),
    ...(report === undefined ? {} : { report: { path: report, spool: join(dir, `${shard.name}.results.ndjson`) } })
  })
