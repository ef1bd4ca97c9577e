import { Context, type Effect } from "effect"
import type { StorageError } from "./errors.ts"
import type { AppliedMigration, Migration } from "./migration.ts"
import type { ShardName } from "./shard-name.ts"
import type { SqlValue } from "./sql-value.ts"
import type { Row } from "./validation.ts"

/** Where rows of one model go: its table and columns, in row order. */
export interface TableTarget {
  readonly table: string
  readonly columns: ReadonlyArray<string>
  readonly primaryKey: string
}

/**
 * What to do with a row whose primary key (or another unique key) is already taken: `fail`
 * it with the database's message (the seed's behaviour), `skip` it and keep the stored row,
 * or `replace` the stored row with it (by primary key).
 */
export type ConflictMode = "fail" | "skip" | "replace"

/**
 * What became of one row of a batch. `Refused` carries the database's own message (e.g.
 * `UNIQUE constraint failed: users.id`); a refused row leaves no trace.
 */
export type RowOutcome =
  | { readonly _tag: "Inserted" }
  | { readonly _tag: "Skipped" }
  | { readonly _tag: "Replaced" }
  | { readonly _tag: "Refused"; readonly reason: string }

/** The outcomes without a payload, shared: a batch of a million rows allocates none of them. */
export const RowOutcome = {
  inserted: { _tag: "Inserted" },
  skipped: { _tag: "Skipped" },
  replaced: { _tag: "Replaced" },
  refused: (reason: string): RowOutcome => ({ _tag: "Refused", reason })
} as const

/**
 * One shard database. Every method runs under the database's own lock, so several models
 * routed to the same database never interleave inside a transaction.
 */
export interface ShardDatabase {
  readonly name: ShardName
  /** File path (or server address) shown to users. */
  readonly location: string
  /** False until the database has been written at least once. */
  readonly exists: boolean
  readonly appliedMigrations: Effect.Effect<ReadonlyArray<AppliedMigration>, StorageError>
  /** Applies the model's migrations that are not in the ledger yet; returns those it applied. */
  readonly migrate: (model: string, migrations: ReadonlyArray<Migration>) => Effect.Effect<ReadonlyArray<Migration>, StorageError>
  /**
   * Inserts a batch in one transaction, each row atomically on its own: a refused row is
   * reported and rolled back alone, its neighbours still land. `onConflict` (default `fail`)
   * says what a taken key means.
   */
  readonly insertBatch: (
    target: TableTarget,
    rows: ReadonlyArray<Row>,
    onConflict?: ConflictMode
  ) => Effect.Effect<ReadonlyArray<RowOutcome>, StorageError>
  readonly count: (table: string) => Effect.Effect<number, StorageError>
  /** Rows ordered by primary key; `key` selects one. */
  readonly select: (
    target: TableTarget,
    query: { readonly key?: SqlValue; readonly limit?: number }
  ) => Effect.Effect<ReadonlyArray<Readonly<Record<string, SqlValue>>>, StorageError>
  /**
   * What the database engine's own integrity check finds wrong (SQLite's `PRAGMA
   * integrity_check`); empty when the database is sound. Reads only.
   */
  readonly integrityProblems: Effect.Effect<ReadonlyArray<string>, StorageError>
  /** Empties the database in memory; the stored copy is replaced only by the next `persist`. */
  readonly reset: Effect.Effect<void, StorageError>
  /** Makes everything inserted so far durable; all or nothing. */
  readonly persist: Effect.Effect<void, StorageError>
}

/**
 * Opens shard databases by name. Implementations own the connections for the lifetime of
 * their layer and hand out the same one for the same name.
 */
export class ShardStorage extends Context.Service<
  ShardStorage,
  {
    readonly database: (name: ShardName) => Effect.Effect<ShardDatabase, StorageError>
    /**
     * Takes database `name`'s single-writer lock for the layer's lifetime without reading it
     * (`database` takes it first too), so that a run can hold the locks of everything it will
     * write before it creates or empties any file, one at a time in a global order (see
     * lock-order.ts). The same answer every time for the same name. Does nothing in a storage
     * opened to read, or whose caller holds the locks.
     */
    readonly lock: (name: ShardName) => Effect.Effect<void, StorageError>
    /**
     * What `path` is to this storage, if it is one of the files it keeps for one of the
     * databases `names` (the database file, its lock, the database engine's journals, a temp
     * file of a write), however the path reaches it (a symbolic or hard link): a phrase for a
     * message, such as "the shard file of users"; undefined otherwise. Lets a caller refuse to
     * write over them, e.g. a report file.
     */
    readonly fileRole: (path: string, names: ReadonlyArray<ShardName>) => Effect.Effect<string | undefined>
  }
>()("@distributed-insert/core/ShardStorage") {}
