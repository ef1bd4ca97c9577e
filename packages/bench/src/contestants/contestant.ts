import type { Command } from "../measure/command.ts"

export type ContestantId =
  | "populate"
  | "populate-workers-on"
  | "populate-workers-off"
  | "better-sqlite3"
  | "better-sqlite3-statement"
  | "sqlite3-shell"
  | "postgres-populate"
  | "postgres-naive"
  | "postgres-psql-copy"

/** One way of loading the data set, timed as whole processes. */
export interface Contestant {
  readonly id: ContestantId
  /** How the results table names it. */
  readonly label: string
  /**
   * The processes of one run, started one after the other with a fresh, empty `dataDir`
   * (where the shard files must end up as `<shard>.db`); each is measured, and a run's wall
   * time is their sum and its peak RSS their maximum.
   */
  readonly commands: (dataDir: string) => ReadonlyArray<Command>
  /** Where its rows go when not to SQLite files in `dataDir` (PostgreSQL databases). */
  readonly destination?: RunDestination
  /**
   * Records it loads in a run when only a prefix of the data set (its records/s are computed
   * from them, so extrapolated to the whole); all of them when absent.
   */
  readonly records?: number
}

/** What one run left: rows per shard, and the bytes they take. */
export interface StoredRows {
  readonly rowsByShard: ReadonlyMap<string, number>
  readonly databaseBytes: number
}

/**
 * Databases a contestant's run writes to, other than files in its `dataDir`: made empty before
 * the run, read and removed after it, none of it timed. Each run is told its own `dataDir`.
 */
export interface RunDestination {
  readonly prepare: (dataDir: string) => Promise<void>
  readonly inspect: (dataDir: string) => Promise<StoredRows>
  /** Called after every run, whether prepare, the processes or inspect failed or not. */
  readonly release: (dataDir: string) => Promise<void>
}
