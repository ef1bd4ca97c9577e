import type { ConflictMode } from "@distributed-insert/storage"
import { Schema } from "effect"

/** A number of seconds, records...: at least 0 (`Infinity` included, `NaN` not). */
const NonNegative = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * How each shard of a run is loaded, in whichever thread it loads: the settings `populate`
 * takes (`PopulateOptions.settings`), hands to `loadShard`, and sends to a worker thread as
 * part of its task (`ShardWorkerTask.settings`). A Schema, because a worker decodes them.
 */
export const LoadSettings = Schema.Struct({
  /**
   * Records validated and inserted per transaction. Shards running as fibers yield to each
   * other between batches, so a smaller batch interleaves more and a larger one runs faster.
   */
  batchSize: Schema.Int,
  /** What a record whose key is already stored becomes (see `ConflictMode`). */
  onConflict: Schema.Literals(["fail", "skip", "replace"] satisfies ReadonlyArray<ConflictMode>),
  /** Keep every result in the report while a shard has at most this many records. */
  keepRecords: Schema.Int,
  /** How many rejected records the report keeps for a quick look. */
  keepRejected: Schema.Int,
  /** Persist once this many records were processed since the last write; 0: never by count. */
  checkpointRecords: Schema.Natural,
  /** Persist once this many seconds passed since the last write; 0: never by time. */
  checkpointSeconds: NonNegative
})
export type LoadSettings = typeof LoadSettings.Type

/**
 * Every load setting's default, the only place they are written: the pipeline falls back to
 * them and the CLI's options show and take them. A checkpoint appends the records added since the
 * last one to the shard's redo journal and syncs it (the sql.js storage): every 100,000 records
 * or 30 s keeps the syncs rare, and a crash loses at most that much.
 */
export const DEFAULT_LOAD_SETTINGS: LoadSettings = {
  batchSize: 10_000,
  onConflict: "fail",
  keepRecords: 1000,
  keepRejected: 10,
  checkpointRecords: 100_000,
  checkpointSeconds: 30
}

/** The settings given, the defaults for the others. */
export const loadSettings = (given: Partial<LoadSettings> = {}): LoadSettings => ({ ...DEFAULT_LOAD_SETTINGS, ...given })
