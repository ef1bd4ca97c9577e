import type { InputError } from "./input-error.ts"
import type { ShardInput, SourceItem } from "./record-source.ts"

/**
 * An input that could not be opened, as an input that fails when read: the shard then reports
 * the error (operation `input`) through the same path as a read that fails halfway, while the
 * other shards load.
 */
export const failedInput = (error: InputError): ShardInput => ({
  source: {
    [Symbol.asyncIterator]: (): AsyncIterator<ReadonlyArray<SourceItem>> => ({ next: () => Promise.reject(error) })
  },
  origin: error.origin,
  textValues: false
})
