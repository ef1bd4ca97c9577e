import { DEFAULT_LOAD_SETTINGS, type LoadSettings } from "./load-settings.ts"

/** How often a long load persists its shard on the way, between batches (defaults: `DEFAULT_LOAD_SETTINGS`). */
export type CheckpointOptions = Partial<Pick<LoadSettings, "checkpointRecords" | "checkpointSeconds">>

/**
 * Decides, after each batch, whether a checkpoint is due. With the sql.js storage a persist
 * appends what was added since the last one to the shard's redo journal (its cost grows with the
 * records added, not with the shard); each still syncs a file, which the defaults keep rare.
 */
export const checkpointPolicy = (options: CheckpointOptions, now: () => number = Date.now) => {
  const records = options.checkpointRecords ?? DEFAULT_LOAD_SETTINGS.checkpointRecords
  const millis = (options.checkpointSeconds ?? DEFAULT_LOAD_SETTINGS.checkpointSeconds) * 1000
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
