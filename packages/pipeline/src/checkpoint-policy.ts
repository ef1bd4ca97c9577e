/** How often a long load persists its shard on the way, between batches. */
export interface CheckpointOptions {
  /** Persist once this many records were processed since the last write (default 100,000; 0: never by count). */
  readonly checkpointRecords?: number
  /** Persist once this many seconds passed since the last write (default 30; 0: never by time). */
  readonly checkpointSeconds?: number
}

export const DEFAULT_CHECKPOINT_RECORDS = 100_000
export const DEFAULT_CHECKPOINT_SECONDS = 30

/**
 * Decides, after each batch, whether a checkpoint is due. A persist writes the whole database,
 * so its cost grows with the shard: the defaults keep it to a few percent of a long load.
 */
export const checkpointPolicy = (options: CheckpointOptions, now: () => number = Date.now) => {
  const records = options.checkpointRecords ?? DEFAULT_CHECKPOINT_RECORDS
  const millis = (options.checkpointSeconds ?? DEFAULT_CHECKPOINT_SECONDS) * 1000
  let lastPosition = 0
  let lastAt = now()
  return {
    due: (position: number): boolean =>
      (records > 0 && position - lastPosition >= records) || (millis > 0 && position > lastPosition && now() - lastAt >= millis),
    /** The records through `position` were just made durable. */
    done: (position: number): void => {
      lastPosition = position
      lastAt = now()
    }
  }
}
