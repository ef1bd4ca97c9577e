import { Data } from "effect"

/** What the storage was doing when it failed. */
export type StorageOperation = "open" | "lock" | "migrate" | "insert" | "read" | "persist"

/**
 * A shard database that could not be opened, migrated, read or written.
 * `location` names the file (or server) so the user knows what to look at.
 */
export class StorageError extends Data.TaggedError("StorageError")<{
  /** The database's name; `*` when what failed is the storage's, not one database's (listing the data directory, say). */
  readonly shard: string
  readonly location: string
  readonly operation: StorageOperation
  readonly reason: string
  /** What failed underneath (a file system error, SQLite's, a `ShardLockedError`), when there was something. */
  readonly cause?: unknown
  /**
   * The lock (operation `lock`) is held by another writer, which is running now: as opposed to
   * a lock that could not be taken at all (a directory that cannot be created, a server that
   * cannot be reached). A run refused this way must not touch what that writer may be using.
   */
  readonly heldByAnother?: true
}> {
  override get message(): string {
    return `${this.operation} failed for ${this.shard === "*" ? "the storage" : `shard ${this.shard}`} (${this.location}): ${this.reason}`
  }
}
