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

/** A migration written as the engine's SQL. */
export interface SqlMigration {
  readonly version: number
  readonly description: string
  /** DDL run inside the migration's transaction; may hold several statements. */
  readonly sql: string
  readonly createTable?: never
}

/** A migration that creates one table from its engine-neutral definition (see `defineShard`'s derived table). */
export interface CreateTableMigration {
  readonly version: number
  readonly description: string
  readonly createTable: TableDefinition
  readonly sql?: never
}

/** A migration as recorded in a database's ledger. */
export interface AppliedMigration {
  readonly model: string
  readonly version: number
  readonly description: string
  readonly appliedAt: string
}
