import type { AppliedMigration, TableDefinition } from "@distributed-insert/shard"
import type pg from "pg"
import type { TableShape } from "./insert-batch.ts"
import { ask, type Queryable } from "./pg-connection.ts"
import type { PgErrorFields } from "./pg-refusal.ts"
import { quoteIdentifier as quote } from "./postgres-ddl.ts"
import { inTransaction } from "./transaction.ts"

/**
 * A shard database is a PostgreSQL schema named after it, in the PostgreSQL database its URL
 * names: `users` is schema `users`, its table `users.users`, its ledger `users._migrations`. So
 * several shard databases may share one PostgreSQL database (the same URL for all) without
 * meeting: each has its own tables, ledger and writer's lock, and `reset` drops its own schema
 * alone. The schema is this storage's when it holds the migrations ledger; the first migration
 * creates the schema, or takes over one that exists but is empty (made beforehand by an
 * administrator, say), and refuses one holding anything else.
 */
export const LEDGER = "_migrations"

/** Schemas PostgreSQL keeps for itself, or every database has: never a shard database's. */
export const reservedSchemaProblem = (name: string): string | undefined =>
  name === "public" || name === "information_schema" || name.startsWith("pg_")
    ? `"${name}" cannot be the name of a PostgreSQL shard database: a shard database is a schema of that name, and schema ${name} is PostgreSQL's own (or every database's)`
    : undefined

const ledgerOf = (schema: string): string => `${quote(schema)}.${quote(LEDGER)}`

/** Whether `schema` holds the ledger: whether the shard database exists (has been written). */
export const hasLedger = async (db: Queryable, schema: string): Promise<boolean> => {
  const result = await ask<{ found: boolean }>(db, "SELECT to_regclass($1) IS NOT NULL AS found", [ledgerOf(schema)])
  return result.rows[0]?.found === true
}

/**
 * The ledger's rows: the sql.js engine's columns (model, version, description, applied_at, as
 * ISO text), and `definition`, the table of a `createTable` migration as JSON (null for SQL), which
 * `integrityProblems` compares the table with.
 */
const LEDGER_DDL = (schema: string) =>
  `CREATE TABLE IF NOT EXISTS ${ledgerOf(schema)} (model text NOT NULL, version integer NOT NULL, description text NOT NULL, applied_at text NOT NULL, definition text, PRIMARY KEY (model, version))`

/**
 * Makes sure the schema exists and is this storage's, with its ledger, in one transaction of its
 * own: created, or taken over if empty; an error naming what is in the way otherwise.
 */
export const ensureLedger = (client: pg.ClientBase, schema: string, location: string): Promise<void> =>
  inTransaction(client, async () => {
    const found = await ask<{ present: boolean; ledger: boolean; empty: boolean }>(
    client,
      `SELECT true AS present, to_regclass($2) IS NOT NULL AS ledger,
              NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = n.oid)
              AND NOT EXISTS (SELECT 1 FROM pg_proc WHERE pronamespace = n.oid)
              AND NOT EXISTS (SELECT 1 FROM pg_type WHERE typnamespace = n.oid) AS empty
         FROM pg_namespace n WHERE n.nspname = $1`,
      [schema, ledgerOf(schema)]
    )
    const [state] = found.rows
    if (state === undefined) await client.query(`CREATE SCHEMA ${quote(schema)}`)
    else if (!state.ledger && !state.empty) {
      throw new Error(
        `schema ${schema} of ${location} already holds objects, and no migrations ledger (${LEDGER}): it is not a shard database this storage made, so it is left alone; ` +
          "give the shard database another PostgreSQL database, or drop or rename that schema"
      )
    }
    if (state === undefined || !state.ledger) await client.query(LEDGER_DDL(schema))
  })

/** The ledger, in model and version order; empty when there is none yet. */
export const readLedger = async (db: Queryable, schema: string): Promise<ReadonlyArray<AppliedMigration>> => {
  if (!(await hasLedger(db, schema))) return []
  const result = await ask<{ model: string; version: number; description: string; applied_at: string }>(
    db,
    `SELECT model, version, description, applied_at FROM ${ledgerOf(schema)} ORDER BY model, version`
  )
  return result.rows.map((row) => ({ model: row.model, version: row.version, description: row.description, appliedAt: row.applied_at }))
}

export const appliedVersions = async (client: pg.ClientBase, schema: string, model: string): Promise<ReadonlySet<number>> => {
  const result = await ask<{ version: number }>(client, `SELECT version FROM ${ledgerOf(schema)} WHERE model = $1`, [model])
  return new Set(result.rows.map((row) => row.version))
}

export const recordMigration = async (
  client: pg.ClientBase,
  schema: string,
  entry: { readonly model: string; readonly version: number; readonly description: string; readonly definition: TableDefinition | undefined }
): Promise<void> => {
  await client.query(`INSERT INTO ${ledgerOf(schema)} (model, version, description, applied_at, definition) VALUES ($1, $2, $3, $4, $5)`, [
    entry.model,
    entry.version,
    entry.description,
    new Date().toISOString(),
    entry.definition === undefined ? null : JSON.stringify(entry.definition)
  ])
}

/**
 * Objects outside `schema` that depend on objects in it, described (`pg_describe_object`): a
 * foreign key of another schema's table referring to one of its tables, a view selecting from
 * one, a column of one of its types. Dropping the schema with CASCADE would drop them too, so
 * `reset` refuses while there are any. A dependent of a kind this query cannot place in a schema
 * counts as outside.
 */
const dependentsOutside = async (client: pg.ClientBase, schema: string): Promise<ReadonlyArray<string>> => {
  const result = await ask<{ dependent: string }>(
    client,
    `WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = $1),
     inside AS (
       SELECT 'pg_class'::regclass AS classid, c.oid AS objid FROM pg_class c, ns WHERE c.relnamespace = ns.oid
       UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t, ns WHERE t.typnamespace = ns.oid
       UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p, ns WHERE p.pronamespace = ns.oid
     ),
     dependents AS (
       SELECT DISTINCT d.classid, d.objid, d.objsubid FROM pg_depend d
         JOIN inside i ON i.classid = d.refclassid AND i.objid = d.refobjid
        WHERE d.deptype IN ('n', 'a')
     )
     SELECT pg_describe_object(x.classid, x.objid, x.objsubid) AS dependent
       FROM dependents x
      WHERE coalesce(CASE x.classid
              WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = x.objid)
              WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = x.objid)
              WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = x.objid)
              WHEN 'pg_constraint'::regclass THEN (SELECT connamespace FROM pg_constraint WHERE oid = x.objid)
              WHEN 'pg_statistic_ext'::regclass THEN (SELECT stxnamespace FROM pg_statistic_ext WHERE oid = x.objid)
              WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE r.oid = x.objid)
              WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = x.objid)
              WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.oid = x.objid)
              WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE p.oid = x.objid)
            END, 0) <> (SELECT oid FROM ns)
      ORDER BY 1`,
    [schema]
  )
  return result.rows.map((row) => row.dependent)
}

/**
 * Empties the shard database: drops its schema with everything in it (tables, ledger, whatever
 * its migrations made) and creates it again with the same owner and privileges, in one
 * transaction. Only its own schema: refused, changing nothing, when anything outside it depends
 * on what is in it (`dependentsOutside`). A schema without a ledger is not this storage's (or
 * does not exist): there is nothing of its to empty, and it is left as it is.
 */
export const resetSchema = (client: pg.ClientBase, schema: string, location: string): Promise<void> =>
  inTransaction(client, async () => {
    if (await hasLedger(client, schema)) {
      const outside = await dependentsOutside(client, schema)
      if (outside.length > 0) {
        const shown = outside.slice(0, 5).join("; ")
        const more = outside.length > 5 ? ` (and ${outside.length - 5} more)` : ""
        throw new Error(
          `not reset: objects outside schema ${schema} of ${location} depend on what it holds (${shown}${more}), and emptying it would drop them too; drop or change them first`
        )
      }
      const owner = await ask<{ owner: string }>(client, "SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = $1", [schema])
      const grants = await ask<{ privilege: string; grantee: string; grantable: boolean }>(
    client,
        `SELECT a.privilege_type AS privilege, a.is_grantable AS grantable,
                CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee
           FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
          WHERE n.nspname = $1 AND a.grantee <> n.nspowner`,
        [schema]
      )
      await client.query(`DROP SCHEMA ${quote(schema)} CASCADE`)
      await client.query(`CREATE SCHEMA ${quote(schema)} AUTHORIZATION ${owner.rows[0]?.owner ?? "CURRENT_USER"}`)
      for (const grant of grants.rows) {
        await client.query(`GRANT ${grant.privilege} ON SCHEMA ${quote(schema)} TO ${grant.grantee}${grant.grantable ? " WITH GRANT OPTION" : ""}`)
      }
    }
  })

/** The schemas of the database `db` is connected to that hold a ledger: the shard databases it holds, by name. */
export const schemasWithLedger = async (db: Queryable): Promise<ReadonlyArray<string>> => {
  const result = await ask<{ name: string }>(
    db,
    `SELECT n.nspname AS name FROM pg_namespace n
      WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relname = $1 AND c.relkind IN ('r', 'p'))
      ORDER BY 1`,
    [LEDGER]
  )
  return result.rows.map((row) => row.name)
}

/** What a batch needs of `table` (see `TableShape`); fails, saying so, when the table or one of the columns is missing. */
export const tableShape = async (db: Queryable, schema: string, table: string, columns: ReadonlyArray<string>): Promise<TableShape> => {
  const qualified = `${quote(schema)}.${quote(table)}`
  const result = await ask<{ name: string; type: string }>(
    db,
    `SELECT a.attname AS name, a.atttypid::regtype::text AS type FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
    [qualified]
  )
  if (result.rows.length === 0) throw new Error(`table ${table} does not exist in schema ${schema}: has its model been migrated?`)
  const types = new Map(result.rows.map((row) => [row.name, row.type]))
  const unique = await ask<{ other: boolean; rules: boolean }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM pg_index WHERE indrelid = to_regclass($1) AND (indisunique OR indisexclusion) AND NOT indisprimary) AS other,
            (SELECT relhasrules FROM pg_class WHERE oid = to_regclass($1)) AS rules`,
    [qualified]
  )
  return {
    types: columns.map((column) => {
      const type = types.get(column)
      if (type === undefined) throw new Error(`table ${table} has no column ${column}`)
      return type
    }),
    otherUniqueKeys: unique.rows[0]?.other === true,
    rules: unique.rows[0]?.rules === true
  }
}

/**
 * The columns of the constraint an error names, in order: a unique index (a unique violation
 * names the index), else a CHECK or foreign key of the error's table. None for an index on an
 * expression. Undefined when the catalog has no such constraint.
 */
export const constraintColumnsOf = async (db: Queryable, error: PgErrorFields): Promise<ReadonlyArray<string> | undefined> => {
  if (error.constraint === undefined || error.constraint === null || error.schema === undefined || error.schema === null) return undefined
  const result = await ask<{ columns: string }>(
    db,
    `SELECT to_json(CASE WHEN 0 = ANY (x.indkey::int2[]) THEN ARRAY[]::text[]
                 ELSE ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) END)::text AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
      WHERE n.nspname = $1 AND i.relname = $2
     UNION ALL
     SELECT to_json(ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n))::text
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = $3 AND c.conname = $2 AND c.contype IN ('c', 'f')
      LIMIT 1`,
    [error.schema, error.constraint, error.table ?? ""]
  )
  const [found] = result.rows
  if (found === undefined) return undefined
  // As JSON: node-postgres would give a text[] as its array literal, and names may hold anything.
  const columns: unknown = JSON.parse(found.columns)
  return Array.isArray(columns) ? columns.filter((column): column is string => typeof column === "string") : undefined
}
