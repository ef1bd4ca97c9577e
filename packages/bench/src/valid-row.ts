import type { Row, Shard } from "@distributed-insert/shard"
import { Result } from "effect"

/**
 * What each baseline does with a line of NDJSON, as `populate` does: the shard's row, or
 * undefined for an invalid record (a line that is not JSON, or a record the shard's rules reject).
 */
export const validRow = (shard: Shard, line: string): Row | undefined => {
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch (error) {
    // A line that is not JSON is an invalid record, not the end of the run.
    if (!(error instanceof SyntaxError)) throw error
    return undefined
  }
  const validation = shard.validate(record)
  return Result.isSuccess(validation) ? validation.success : undefined
}
