import type { TableDefinition } from "./table-definition.ts"

/**
 * One versioned step of a model's schema: either DDL in the storage engine's own SQL, or a table
 * said without an engine, which each storage backend renders in its dialect. Once released, a
 * migration never changes: a later change of the table is a migration of its own.
 *
 * The property the other kind has is declared as absent (`?: never`), so code that only reads
 * `migration.sql` (tests running a shard's DDL by hand) still type-checks, as `string | undefined`.
 */
export type Migration = SqlMigration | CreateTableMigration

/**
 * A migration written as the engine's SQL. `sql` is SQLite's, and every engine's that has no
 * entry in `dialects`: DDL that reads alike in both (as `CREATE TABLE t (id INTEGER PRIMARY KEY,
 * name TEXT NOT NULL)` does, though PostgreSQL's INTEGER is 32 bits) needs nothing more. Where the
 * dialects differ, `dialects.postgres` is what the PostgreSQL backend runs instead.
 */
export interface SqlMigration {
  readonly version: number
  readonly description: string
  /** DDL run inside the migration's transaction; may hold several statements. */
  readonly sql: string
  /** The same step in another engine's SQL, run by that engine in place of `sql`. */
  readonly dialects?: SqlDialects
  readonly createTable?: never
}

/** A migration's SQL for engines whose dialect `SqlMigration.sql` is not. */
export interface SqlDialects {
  readonly postgres?: string
}

/** A migration that creates one table from its engine-neutral definition (see `defineShard`'s derived table). */
export interface CreateTableMigration {
  readonly version: number
  readonly description: string
  readonly createTable: TableDefinition
  readonly sql?: never
  readonly dialects?: never
}

/** A migration as recorded in a database's ledger. */
export interface AppliedMigration {
  readonly model: string
  readonly version: number
  readonly description: string
  readonly appliedAt: string
}
