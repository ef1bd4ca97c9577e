import type { TableDefinition } from "@distributed-insert/shard"
import { Result, Schema } from "effect"
import type pg from "pg"
import { ask } from "./pg-connection.ts"
import { LEDGER } from "./pg-schema.ts"
import { quoteIdentifier as quote } from "./postgres-ddl.ts"
import { pgColumnsOf, pgTableAgreementProblems } from "./table-agreement.ts"

/** The shape of a `createTable` definition as the ledger keeps it (JSON). */
const StoredDefinition = Schema.fromJsonString(
  Schema.Struct({
    table: Schema.String,
    columns: Schema.Array(Schema.Struct({ name: Schema.String, type: Schema.Literals(["integer", "real", "text"]), notNull: Schema.Boolean })),
    primaryKey: Schema.String
  })
)
const decodeDefinition = Schema.decodeUnknownResult(StoredDefinition)

interface LedgerRow {
  readonly model: string
  readonly version: number
  readonly applied_at: string
  readonly definition: string | null
}

/**
 * What is wrong with the shard database, as sentences; empty when it is sound. Reads only.
 *
 * PostgreSQL keeps its own files sound (WAL, checksums where enabled) and offers no cheap check of
 * them to an ordinary role (amcheck needs an extension and privileges), so integrity here is the
 * shard database's agreement with itself, what a writer relies on:
 * - the schema is this storage's: a schema of the shard database's name that holds objects but no
 *   ledger was not made by it (migrate refuses to use it);
 * - the ledger reads, and each of its rows does (an applied time, a stored table definition);
 * - each table a `createTable` migration made still is that table (columns, types, NOT NULL,
 *   primary key: `pgTableAgreementProblems`), unless a later migration of its model may have
 *   changed it on purpose;
 * - no index is invalid (a `CREATE INDEX CONCURRENTLY` or `REINDEX` that failed leaves one that
 *   enforces nothing it declares, a unique one included), and no constraint is NOT VALID (the
 *   rows stored before it was added were never checked against it).
 */
export const integrityProblems = async (db: pg.Pool, schema: string, location: string): Promise<ReadonlyArray<string>> => {
  const state = await ask<{ present: boolean; ledger: boolean; empty: boolean }>(
    db,
    `SELECT to_regclass($2) IS NOT NULL AS ledger,
            NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = n.oid) AS empty
       FROM pg_namespace n WHERE n.nspname = $1`,
    [schema, `${quote(schema)}.${quote(LEDGER)}`]
  )
  const [found] = state.rows
  if (found === undefined) return []
  if (!found.ledger) {
    return found.empty ? [] : [`schema ${schema} of ${location} holds tables but no migrations ledger (${LEDGER}): it was not made by this storage, which will not write it`]
  }
  let ledger: ReadonlyArray<LedgerRow>
  try {
    ledger = (await ask<LedgerRow>(db, `SELECT model, version, applied_at, definition FROM ${quote(schema)}.${quote(LEDGER)} ORDER BY model, version`)).rows
  } catch (error) {
    return [`the migrations ledger ${schema}.${LEDGER} cannot be read: ${error instanceof Error ? error.message : String(error)}`]
  }
  const problems: Array<string> = []
  const lastVersion = new Map<string, number>()
  for (const row of ledger) lastVersion.set(row.model, Math.max(row.version, lastVersion.get(row.model) ?? row.version))
  for (const row of ledger) {
    const migration = `migration ${row.model} v${row.version}`
    if (Number.isNaN(Date.parse(row.applied_at))) problems.push(`the ledger's ${migration} has no readable applied time (${JSON.stringify(row.applied_at)})`)
    if (row.definition === null) continue
    const definition = decodeDefinition(row.definition)
    if (Result.isFailure(definition)) {
      problems.push(`the ledger's ${migration} keeps a table definition that does not read: ${definition.failure.message}`)
      continue
    }
    // A later migration of the model may have altered the table on purpose: nothing to hold it to.
    if (lastVersion.get(row.model) !== row.version) continue
    const expected: TableDefinition = definition.success
    problems.push(...pgTableAgreementProblems(await pgColumnsOf(db, schema, expected.table), expected).map((problem) => `${problem} (made by ${migration})`))
  }
  const invalidIndexes = await ask<{ name: string; table: string }>(
    db,
    `SELECT i.relname AS name, t.relname AS table FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE i.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND NOT x.indisvalid
      ORDER BY 1`,
    [schema]
  )
  for (const index of invalidIndexes.rows) {
    problems.push(`index ${index.name} of table ${index.table} is invalid (a CREATE INDEX CONCURRENTLY or REINDEX failed): it enforces nothing; rebuild it with REINDEX`)
  }
  const unchecked = await ask<{ name: string; table: string }>(
    db,
    `SELECT c.conname AS name, t.relname AS table FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND NOT c.convalidated
      ORDER BY 1`,
    [schema]
  )
  for (const constraint of unchecked.rows) {
    problems.push(
      `constraint ${constraint.name} of table ${constraint.table} is NOT VALID: rows stored before it was added were never checked against it (ALTER TABLE ... VALIDATE CONSTRAINT)`
    )
  }
  return problems
}
