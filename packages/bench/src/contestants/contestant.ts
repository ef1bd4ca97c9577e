import type { Command } from "../measure/command.ts"

export type ContestantId =
  | "populate"
  | "populate-workers-on"
  | "populate-workers-off"
  | "better-sqlite3"
  | "better-sqlite3-statement"
  | "sqlite3-shell"

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
}
