import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { readShardFile, type ShardFile } from "@distributed-insert/storage-sqljs/testing"

/**
 * Where the shards of the harness's loads live: the seam between the harness (harness.ts), which
 * starts, kills and re-runs loads and judges what they leave, and the engines that hold what they
 * leave. The default is sql.js files in the load's data directory (`sqljsFiles`); postgres-target.ts
 * puts them in PostgreSQL databases made for each load. A home gives every load a fresh place and
 * says how to read a shard back from it, so the harness itself never names an engine.
 */
export interface ShardHome {
  /** For the harness's output: where the shards go, e.g. "sql.js files". */
  readonly description: string
  /**
   * A fresh, empty place for one load's shards (a reference load, or trial `trial`), whose data
   * directory `dataDir` the harness has just emptied. Released with `close` whatever happens.
   */
  readonly open: (dataDir: string, load: LoadKind) => Promise<ShardPlace>
}

/** Which load a place is for: an uninterrupted reference load, or a trial that gets killed. */
export type LoadKind = { readonly _tag: "reference" } | { readonly _tag: "trial"; readonly trial: number }

/** The expectations a place's own checks may need: what the complete load stores, shard by shard. */
export interface ShardExpectation {
  /** The input's record ids, by position (index 0 is position 1). */
  readonly idsByPosition: ReadonlyArray<number | null>
  /** What a complete load stores: row JSON by id. */
  readonly rows: ReadonlyMap<number, string>
}

/** What the harness knows right after a kill, for a place's own checks (`afterKill`). */
export interface KillContext {
  /** What the report's markers call durable, per shard (a shard without a marker is absent). */
  readonly durable: ReadonlyMap<string, number>
  readonly expected: ReadonlyMap<string, ShardExpectation>
  /** The load's `--batch-size`. */
  readonly batchSize: number
}

/** What a place's own checks found after a kill. */
export interface AfterKill {
  /** What is wrong, as sentences; empty when nothing is. */
  readonly problems: ReadonlyArray<string>
  /** What is worth telling but not wrong, e.g. how many rows were committed past the markers. */
  readonly notes: ReadonlyArray<string>
}

/** One load's place. */
export interface ShardPlace {
  /** For the output: how this load's shards are laid out, e.g. "users: PostgreSQL, orders: file". */
  readonly layout: string
  /** Options the load's `populate` (and its re-run) get to put the shards here, e.g. `--database users=URL`. */
  readonly args: ReadonlyArray<string>
  /** A shard's rows as they stand, or why they cannot be read ("Corrupt"), or "Missing". */
  readonly read: (shard: Shard) => Promise<ShardFile>
  /**
   * The engine's own checks right after a kill, before the harness reads the shards and re-runs
   * the load. A file has none beyond what `read` judges.
   */
  readonly afterKill: (context: KillContext) => Promise<AfterKill>
  /** Releases the place (drops what was made for it). */
  readonly close: () => Promise<void>
}

/** The default: each shard a sql.js file `<dataDir>/<shard>.db`, as `populate --data-dir` makes it. */
export const sqljsFiles: ShardHome = {
  description: "sql.js files",
  open: async (dataDir) => ({
    layout: "files",
    args: [],
    read: (shard) => readShardFile(join(dataDir, `${shard.name}.db`), shard),
    afterKill: async () => ({ problems: [], notes: [] }),
    close: async () => undefined
  })
}
