/** One versioned step of a model's schema. */
export interface Migration {
  readonly version: number
  readonly description: string
  /** DDL run inside the migration's transaction; may hold several statements. */
  readonly sql: string
}

/** A migration as recorded in a database's ledger. */
export interface AppliedMigration {
  readonly model: string
  readonly version: number
  readonly description: string
  readonly appliedAt: string
}
