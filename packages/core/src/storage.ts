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
 * Outcome of one row of a batch: `undefined` when it landed, else the database's own message
 * (e.g. `UNIQUE constraint failed: users.id`). A refused row leaves no trace.
 */
export type RowOutcome = string | undefined

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
   * reported and rolled back alone, its neighbours still land.
   */
  readonly insertBatch: (target: TableTarget, rows: ReadonlyArray<Row>) => Effect.Effect<ReadonlyArray<RowOutcome>, StorageError>
  readonly count: (table: string) => Effect.Effect<number, StorageError>
  /** Rows ordered by primary key; `key` selects one. */
  readonly select: (
    target: TableTarget,
    query: { readonly key?: SqlValue; readonly limit?: number }
  ) => Effect.Effect<ReadonlyArray<Readonly<Record<string, SqlValue>>>, StorageError>
  /** Empties the database in memory; the stored copy is replaced only by the next `persist`. */
  readonly reset: Effect.Effect<void, StorageError>
  /** Makes everything inserted so far durable; all or nothing. */
  readonly persist: Effect.Effect<void, StorageError>
}

/**
 * Opens shard databases by name. Implementations own the connections for the lifetime of
 * their layer and hand out the same one for the same name.
 */
export class ShardStorage extends Context.Tag("@distributed-insert/core/ShardStorage")<
  ShardStorage,
  { readonly database: (name: ShardName) => Effect.Effect<ShardDatabase, StorageError> }
>() {}
