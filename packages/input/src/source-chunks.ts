import type { SourceItem } from "./record-source.ts"

/**
 * The most items a reader yields at once. The pipeline re-batches anyway; this only bounds
 * how much a reader holds between two pulls, so memory stays flat on large inputs.
 */
export const MAX_CHUNK_ITEMS = 4096

/** `items` cut into consecutive chunks of at most {@link MAX_CHUNK_ITEMS}; nothing when empty. */
export function* sourceChunks(items: Array<SourceItem>): Generator<ReadonlyArray<SourceItem>> {
  if (items.length <= MAX_CHUNK_ITEMS) {
    if (items.length > 0) yield items
    return
  }
  for (let start = 0; start < items.length; start += MAX_CHUNK_ITEMS) yield items.slice(start, start + MAX_CHUNK_ITEMS)
}
