import type { AppliedMigration, Migration, Row, ShardName, SqlValue, TextRule } from "@distributed-insert/shard"
import { Context, type Effect, Schema } from "effect"
import type { StorageError } from "./storage-error.ts"

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

/** The kind of constraint that refused a row, as every engine can say it. */
export type RefusalKind = "unique" | "not-null" | "check" | "foreign-key" | "other"

/**
 * Why the database refused a row, classified by the backend that knows its engine's errors: the
 * pipeline turns it into the record's issue (field and rule) without reading engine messages.
 */
export interface Refusal {
  readonly kind: RefusalKind
  /** The column at fault, when the engine names exactly one (a UNIQUE or NOT NULL column). */
  readonly column: string | null
  /** The constraint's name, when the engine names it (PostgreSQL does, SQLite does not). */
  readonly constraint: string | null
  /** The engine's own message, verbatim: the seed shows `UNIQUE constraint failed: users.id`. */
  readonly message: string
}

/** What became of one row of a batch. A refused row leaves no trace. */
export type RowOutcome =
  | { readonly _tag: "Inserted" }
  | { readonly _tag: "Skipped" }
  | { readonly _tag: "Replaced" }
  | { readonly _tag: "Refused"; readonly refusal: Refusal }

/** The outcomes without a payload, shared: a batch of a million rows allocates none of them. */
export const RowOutcome = {
  inserted: { _tag: "Inserted" },
  skipped: { _tag: "Skipped" },
  replaced: { _tag: "Replaced" },
  refused: (refusal: Refusal): RowOutcome => ({ _tag: "Refused", refusal })
} as const

/**
 * When an inserted row is durable. `commit`: as soon as `insertBatch` returns (a server
 * database, or any engine that commits to disk); `persist` then has nothing to do. `snapshot`:
 * only once `persist` has made it durable (sql.js works on a copy in memory, and writes what a
 * persist adds to a journal beside the file), so a crash loses what was inserted since the last
 * `persist`, and the pipeline says so per record.
 */
export type Durability = "commit" | "snapshot"

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
  /** When what `insertBatch` inserts is durable. */
  readonly durability: Durability
  /**
   * Conditions the engine sets on text values (what it would store but not give back as it was
   * given); records are validated against them, like against a shard's rules.
   */
  readonly textRules: ReadonlyArray<TextRule>
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
  /**
   * Empties the database (every table and the migrations ledger). A snapshot database's stored
   * copy is replaced only by the next `persist`; a commit database is emptied at once.
   */
  readonly reset: Effect.Effect<void, StorageError>
  /**
   * Makes everything inserted so far durable; all or nothing. Nothing to do for `commit`
   * durability. It may keep what it makes durable beside the database's file (the sql.js
   * storage appends it to a journal that opening the database replays), to cost what was added
   * rather than the database's size: `persistWhole` folds it in.
   */
  readonly persist: Effect.Effect<void, StorageError>
  /**
   * Like `persist`, and leaves the database whole in its own file, nothing pending beside it,
   * for any other program that reads the file (the end of a load). Absent where `persist`
   * already does.
   */
  readonly persistWhole?: Effect.Effect<void, StorageError>
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
     * Takes the single-writer locks of the databases `names` for the layer's lifetime, before
     * any is read or used, so that a run holds everything it will write before it creates or
     * empties anything; in an order of the backend's choosing that cannot deadlock with another
     * run doing the same. Never fails: a lock that cannot be taken fails every later use of its
     * database, which is where it is reported. Does nothing in a storage opened to read, or
     * whose caller holds the locks, or whose engine locks by itself.
     */
    readonly lockAll: (names: ReadonlyArray<ShardName>) => Effect.Effect<void>
    /**
     * Whether database `name` can be written by this run: its lock, taken if not yet. The
     * failure is the one every use of the database would get.
     */
    readonly lock: (name: ShardName) => Effect.Effect<void, StorageError>
    /**
     * How a worker thread opens this same storage, as plain (structured-cloneable) data that the
     * application turns back into a layer in the worker; the worker then writes what this
     * storage locked. Undefined when the storage cannot be shared with another thread (one
     * held in this thread's memory): its shards then load in this thread.
     */
    readonly workerConfig: Effect.Effect<StorageWorkerConfig, StorageError> | undefined
    /**
     * What `path` is to this storage, if it is one of the files it keeps for one of the
     * databases `names` (the database file, its lock, the database engine's journals, a temp
     * file of a write), however the path reaches it (a symbolic or hard link): a phrase for a
     * message, such as "the shard file of users"; undefined otherwise. Lets a caller refuse to
     * write over them, e.g. a report file.
     */
    readonly fileRole: (path: string, names: ReadonlyArray<ShardName>) => Effect.Effect<string | undefined>
    /**
     * The databases this storage holds (written at least once, so `exists` would be true) that
     * are none of `names`, in name order: what a caller passing every database its shards use
     * finds left over, such as a removed shard's data, to mention it. A place that does not
     * exist holds none. Looks without touching: it never opens a database, takes a lock or
     * writes anything, so another process may be writing them meanwhile; a database it lists
     * still has to be opened with `database` to be read. Fails when the place cannot be looked
     * at (a directory that cannot be read, say).
     */
    readonly unclaimed: (names: ReadonlyArray<ShardName>) => Effect.Effect<ReadonlyArray<UnclaimedDatabase>, StorageError>
  }
>()("@distributed-insert/storage/ShardStorage") {}

/** A database `ShardStorage.unclaimed` found: one the storage holds that none of the names asked about is. */
export interface UnclaimedDatabase {
  readonly name: ShardName
  /** Where it is, as `ShardDatabase.location` says it: its file path (or server address). */
  readonly location: string
  /**
   * The other files the storage or its engine keeps for it that are there (SQLite's journal or
   * write-ahead log, a lock, a write's temp file), as paths: they are part of it, and whoever
   * moves or removes it must do the same with them (a write-ahead log can hold rows the file
   * does not). Empty for a storage that keeps no files.
   */
  readonly sidecars: ReadonlyArray<string>
}

/**
 * A storage's configuration as it crosses to a worker thread: which backend (`backend`, what
 * the application's storage factory looks up) and its options as plain data. A Schema, since
 * whatever carries it to a worker decodes it there.
 */
export const StorageWorkerConfig = Schema.Struct({ backend: Schema.String, options: Schema.Unknown })
export type StorageWorkerConfig = typeof StorageWorkerConfig.Type
