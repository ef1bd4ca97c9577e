import { createHash } from "node:crypto"
import type { SqlValue } from "@distributed-insert/shard"
import { type ConflictMode, type Refusal, RowOutcome, type TableTarget } from "@distributed-insert/storage"
import type pg from "pg"
import { from as copyFrom } from "pg-copy-streams"
import { copyText, unstorableText } from "./copy-text.ts"
import { databaseErrorOf } from "./pg-connection.ts"
import { isRowRefusal, type PgErrorFields, pgRefusal, ROW_REFUSAL_CONDITIONS } from "./pg-refusal.ts"
import { quoteIdentifier as quote } from "./postgres-ddl.ts"
import { inTransaction, RollbackFailed } from "./transaction.ts"

/**
 * What a batch needs to know of its table, read from the catalog once per table (and again after
 * a migration): the type to cast each staged text to, and whether a unique index or exclusion
 * constraint other than the primary key can make a row conflict.
 */
export interface TableShape {
  /** Each target column's type, as a cast names it (`bigint`, `text`, a domain), without a length or precision. */
  readonly types: ReadonlyArray<string>
  readonly otherUniqueKeys: boolean
  /** Whether the table has rules, which COPY does not apply (INSERT does). */
  readonly rules: boolean
}

/** Where a batch goes: the shard database's schema and the columns of its table. */
export interface BatchTarget extends TableTarget {
  readonly schema: string
}

/** Looks up the columns of the constraint (or unique index) named in an error; cached by the caller. */
export type ConstraintColumns = (error: PgErrorFields) => Promise<ReadonlyArray<string> | undefined>

/**
 * How the batches of one table have been going: after a batch whose direct COPY failed (a key
 * was taken, a row was refused), the next few go straight to the staging table, since a failed
 * COPY is work thrown away; then direct COPY is tried again.
 */
export interface CopyHistory {
  stagedSinceFailure: number
}

/** How many batches go straight to staging after a direct COPY failed. */
const STAGED_AFTER_FAILURE = 8

/**
 * The hot path: one transaction per batch, each row atomic on its own.
 *
 * 0. Direct COPY. The batch is COPied straight into its table, under a savepoint. When no row is
 *    refused and no key is taken (a first load, new keys), that is all: every row was inserted,
 *    whatever the conflict mode, at the speed of `psql \copy`. COPY fires triggers and checks
 *    constraints as INSERT does, but not rules: a table with rules skips this step. If the COPY
 *    fails (for whatever reason: the staging path below says why, row by row), the batch is
 *    rolled back to the savepoint and goes on:
 * 1. COPY into staging. The batch goes, as text, with each row's index in the batch (its
 *    ordinal), into a temporary staging table of text columns (`pg_temp.di_staging_<width>`,
 *    made once per connection, ON COMMIT DELETE ROWS, no constraint): nothing in it can fail
 *    but the connection. Text PostgreSQL cannot hold at all (NUL, a lone surrogate) is refused
 *    before either COPY, row by row.
 * 2. One set-based statement inserts the staged rows in ordinal order, casting each text to its
 *    column's type. `fail` and `skip`: `ON CONFLICT DO NOTHING RETURNING <key>`, so that rows
 *    behave as one INSERT each would, in order (a row whose key or other unique value is taken,
 *    by the table or by an earlier row of the batch, does not land), and the returned keys say
 *    which landed. `replace`: the rows whose key is stored are read first, then
 *    `ON CONFLICT (<key>) DO UPDATE`. Under a savepoint: if it fails on a row's account (a NOT
 *    NULL, a CHECK, a foreign key, a value out of range, a unique key other than the primary key
 *    in `replace`), the batch is rolled back to it and inserted row by row (3).
 * 3. Row by row, in a PL/pgSQL function made once per connection for each table and mode: each
 *    row in its own subtransaction (`BEGIN ... EXCEPTION`, a savepoint), its error captured with
 *    `GET STACKED DIAGNOSTICS`. One round trip for the batch, not three per row. In `fail` mode
 *    it also gives the rows that step 2 did not insert PostgreSQL's own unique-violation error.
 *
 * Step 2 is skipped for step 3 where mapping keys back to rows could be ambiguous: a key twice in
 * the batch, in `replace` (which would update a row twice in one statement), or in a table with
 * another unique key (a key's first row may be skipped for its other key and a later one land);
 * and for a table with rules, which PostgreSQL does not let `ON CONFLICT` write to (so `skip` and
 * `replace` fail there, saying so).
 * Errors that are no row's fault (a missing table, a permission, a lost connection) fail the batch.
 */
export const insertBatch = async (
  client: pg.ClientBase,
  target: BatchTarget,
  shape: TableShape,
  history: CopyHistory,
  rows: ReadonlyArray<ReadonlyArray<SqlValue>>,
  mode: ConflictMode,
  constraintColumns: ConstraintColumns
): Promise<ReadonlyArray<RowOutcome>> => {
  const outcomes: Array<RowOutcome | undefined> = new Array(rows.length)
  const staged: Array<number> = []
  for (const [index, row] of rows.entries()) {
    const unstorable = row.map(unstorableText).find((reason) => reason !== undefined)
    if (unstorable === undefined) staged.push(index)
    else outcomes[index] = RowOutcome.refused({ kind: "other", column: null, constraint: null, message: unstorable })
  }
  if (staged.length === 0) return outcomes.map((outcome) => outcome ?? NO_OUTCOME)
  const width = target.columns.length
  const refusedBefore = (index: number) => outcomes[index] !== undefined
  const session = await sessionObjects(client, target, shape, mode)
  const direct = !shape.rules && history.stagedSinceFailure >= STAGED_AFTER_FAILURE
  // Deferred constraints are checked at each statement's end, where a row's failure is its own.
  await inTransaction(
    client,
    async () => {
      if (direct) {
        const table = `${quote(target.schema)}.${quote(target.table)}`
        const copied = await copyIn(client, `COPY ${table} (${target.columns.map(quote).join(", ")}) FROM STDIN`, copyText(rows, width, refusedBefore, false)).then(
          () => true,
          async (error: unknown) => {
            // The connection itself failing is no reason to try again: the rollback fails too, and says so.
            await client.query("ROLLBACK TO SAVEPOINT di_copy").catch((rollbackError: unknown) => {
              throw new RollbackFailed(error, rollbackError)
            })
            return false
          }
        )
        if (copied) {
          for (const index of staged) outcomes[index] = RowOutcome.inserted
          return
        }
        history.stagedSinceFailure = 0
      } else {
        history.stagedSinceFailure++
      }
      await copyIn(client, `COPY pg_temp.${session.staging} FROM STDIN`, copyText(rows, width, refusedBefore, true))
      const keyIndex = target.columns.indexOf(target.primaryKey)
      // A table with rules takes no ON CONFLICT (PostgreSQL refuses it): row by row, where `fail` needs none.
      const ambiguous = shape.rules || (hasRepeatedKey(rows, staged, keyIndex) && (mode === "replace" || shape.otherUniqueKeys))
      const setBased = ambiguous ? undefined : await insertSetBased(client, target, shape, session.staging, rows, staged, keyIndex, mode)
      if (setBased === undefined) {
        await eachRow(client, session.eachRow, staged, outcomes, constraintColumns)
      } else {
        for (const [index, outcome] of setBased.landed) outcomes[index] = outcome
        if (setBased.notLanded.length > 0) {
          if (mode === "fail") await eachRow(client, session.eachRow, setBased.notLanded, outcomes, constraintColumns)
          else for (const index of setBased.notLanded) outcomes[index] = RowOutcome.skipped
        }
      }
    },
    direct ? "BEGIN; SET CONSTRAINTS ALL IMMEDIATE; SAVEPOINT di_copy" : "BEGIN; SET CONSTRAINTS ALL IMMEDIATE"
  )
  return outcomes.map((outcome) => outcome ?? NO_OUTCOME)
}

/** Never left in the result: every row gets an outcome above. Here to keep the types honest. */
const NO_OUTCOME: RowOutcome = RowOutcome.refused({ kind: "other", column: null, constraint: null, message: "no outcome was recorded for this row" })

const hasRepeatedKey = (rows: ReadonlyArray<ReadonlyArray<SqlValue>>, staged: ReadonlyArray<number>, keyIndex: number): boolean => {
  const seen = new Set<string>()
  for (const index of staged) {
    const key = keyText(rows[index]?.[keyIndex] ?? null)
    if (seen.has(key)) return true
    seen.add(key)
  }
  return false
}

/**
 * A key as a map key: numbers by their shortest text (so -0 and 0, which PostgreSQL's equality
 * makes one key, are one here too), text as itself, bytes in hex, each tagged with its type.
 */
const keyText = (value: SqlValue): string => {
  if (value === null) return "null"
  if (typeof value === "number") return `n${String(value)}`
  if (typeof value === "string") return `s${value}`
  return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`
}

interface SetBased {
  readonly landed: ReadonlyArray<readonly [number, RowOutcome]>
  /** Rows that did not land for a taken key, in batch order. */
  readonly notLanded: ReadonlyArray<number>
}

/**
 * Step 2; undefined when the batch was rolled back to before it, for a row's error or for keys
 * that did not map back to the batch's rows (a key column whose values come back in another
 * type than given, say: then the row-by-row path, which needs no mapping, tells).
 */
const insertSetBased = async (
  client: pg.ClientBase,
  target: BatchTarget,
  shape: TableShape,
  staging: string,
  rows: ReadonlyArray<ReadonlyArray<SqlValue>>,
  staged: ReadonlyArray<number>,
  keyIndex: number,
  mode: ConflictMode
): Promise<SetBased | undefined> => {
  const table = `${quote(target.schema)}.${quote(target.table)}`
  const key = quote(target.primaryKey)
  const select = `SELECT ${shape.types.map((type, index) => `di_s.di_v${index + 1}::${type}`).join(", ")} FROM pg_temp.${staging} di_s ORDER BY di_s.di_o`
  const insert = `INSERT INTO ${table} (${target.columns.map(quote).join(", ")}) ${select}`
  await client.query("SAVEPOINT di_set")
  try {
    if (mode === "replace") {
      const keyCast = `di_s.di_v${keyIndex + 1}::${shape.types[keyIndex] ?? "text"}`
      const taken = await client.query<{ di_o: number }>(
        `SELECT di_s.di_o FROM pg_temp.${staging} di_s WHERE EXISTS (SELECT 1 FROM ${table} di_t WHERE di_t.${key} = ${keyCast})`
      )
      await client.query(`${insert} ${replaceClause(target)}`)
      const replaced = new Set(taken.rows.map((row) => row.di_o))
      await client.query("RELEASE SAVEPOINT di_set")
      return { landed: staged.map((index) => [index, replaced.has(index) ? RowOutcome.replaced : RowOutcome.inserted] as const), notLanded: [] }
    }
    const result = await client.query({ text: `${insert} ON CONFLICT DO NOTHING RETURNING ${key} AS di_key`, rowMode: "array" })
    // Each returned key is the first staged row of that key that is not yet claimed: with no key
    // twice in the batch, or no other unique key, that is the row that landed (see insertBatch).
    const pending = new Map<string, Array<number>>()
    for (const index of staged) {
      const rowKey = keyText(rows[index]?.[keyIndex] ?? null)
      const list = pending.get(rowKey)
      if (list === undefined) pending.set(rowKey, [index])
      else list.push(index)
    }
    const landed = new Set<number>()
    for (const returned of result.rows) {
      const index = pending.get(keyText(sqlValueOf(returned[0])))?.shift()
      if (index === undefined) {
        await client.query("ROLLBACK TO SAVEPOINT di_set")
        return undefined
      }
      landed.add(index)
    }
    await client.query("RELEASE SAVEPOINT di_set")
    return {
      landed: staged.filter((index) => landed.has(index)).map((index) => [index, RowOutcome.inserted] as const),
      notLanded: staged.filter((index) => !landed.has(index))
    }
  } catch (error) {
    const code = databaseErrorOf(error)?.code
    if (code === undefined || !isRowRefusal(code)) throw error
    await client.query("ROLLBACK TO SAVEPOINT di_set")
    return undefined
  }
}

/**
 * `replace` updates the stored row in place, by primary key, rather than deleting and inserting
 * it, so that nothing referring to it breaks; a conflict on another unique key is still an error.
 * A table of the key alone has nothing to update.
 */
const replaceClause = (target: TableTarget): string => {
  const updates = target.columns.filter((column) => column !== target.primaryKey).map((column) => `${quote(column)} = EXCLUDED.${quote(column)}`)
  return updates.length === 0 ? `ON CONFLICT (${quote(target.primaryKey)}) DO NOTHING` : `ON CONFLICT (${quote(target.primaryKey)}) DO UPDATE SET ${updates.join(", ")}`
}

/** A value as node-postgres gave it, with this package's type parsers: already an `SqlValue`. */
const sqlValueOf = (value: unknown): SqlValue => {
  if (value === null || typeof value === "number" || typeof value === "string" || value instanceof Uint8Array) return value
  return String(value)
}

interface EachRowResult {
  readonly di_ord: number
  readonly di_outcome: "inserted" | "skipped" | "replaced" | "refused"
  readonly di_state: string | null
  readonly di_message: string | null
  readonly di_constraint: string | null
  readonly di_column: string | null
  readonly di_table: string | null
  readonly di_schema: string | null
}

/** Step 3: the rows `ordinals`, one by one, on the server. */
const eachRow = async (
  client: pg.ClientBase,
  functionName: string,
  ordinals: ReadonlyArray<number>,
  outcomes: Array<RowOutcome | undefined>,
  constraintColumns: ConstraintColumns
): Promise<void> => {
  const result = await client.query<EachRowResult>(`SELECT * FROM pg_temp.${functionName}($1::integer[])`, [ordinals])
  for (const row of result.rows) {
    switch (row.di_outcome) {
      case "inserted":
        outcomes[row.di_ord] = RowOutcome.inserted
        break
      case "skipped":
        outcomes[row.di_ord] = RowOutcome.skipped
        break
      case "replaced":
        outcomes[row.di_ord] = RowOutcome.replaced
        break
      case "refused": {
        const error: PgErrorFields = {
          code: row.di_state ?? "",
          message: row.di_message ?? "",
          constraint: row.di_constraint,
          column: row.di_column,
          table: row.di_table,
          schema: row.di_schema
        }
        outcomes[row.di_ord] = RowOutcome.refused(await refusalOf(error, constraintColumns))
      }
    }
  }
}

const refusalOf = async (error: PgErrorFields, constraintColumns: ConstraintColumns): Promise<Refusal> =>
  pgRefusal(error, error.column === null || error.column === undefined || error.column === "" ? await constraintColumns(error) : undefined)

/** The session's staging table and row-by-row function for a table and mode, made when first needed. */
interface SessionObjects {
  readonly staging: string
  readonly eachRow: string
}

/**
 * What each connection has made for itself (temporary objects live as long as the session): by
 * name. Made outside any transaction, so that a batch rolled back never takes them with it.
 */
const madeBySession = new WeakMap<pg.ClientBase, Set<string>>()

const sessionObjects = async (client: pg.ClientBase, target: BatchTarget, shape: TableShape, mode: ConflictMode): Promise<SessionObjects> => {
  let made = madeBySession.get(client)
  if (made === undefined) {
    made = new Set()
    madeBySession.set(client, made)
  }
  const width = target.columns.length
  const staging = `di_staging_${width}`
  if (!made.has(staging)) {
    const columns = Array.from({ length: width }, (_, index) => `di_v${index + 1} text`).join(", ")
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${staging} (di_o integer NOT NULL, ${columns}) ON COMMIT DELETE ROWS`)
    made.add(staging)
  }
  const body = eachRowFunction(target, shape, staging, mode)
  // Named by its text: a table changed by a migration gets a function of its own.
  const eachRow = `di_each_${createHash("sha256").update(body).digest("hex").slice(0, 24)}`
  if (!made.has(eachRow)) {
    await client.query(`CREATE OR REPLACE FUNCTION pg_temp.${eachRow}${body}`)
    made.add(eachRow)
  }
  return { staging, eachRow }
}

/**
 * The row-by-row function's signature and body: one pass over the staged rows asked for (joined
 * to the ordinals, not looked up one by one: the staging table has no index), each row inserted
 * by a static statement, which PL/pgSQL plans once per session. `ROW_COUNT` tells whether the row
 * landed (0 when `DO NOTHING` skipped it); in `replace`, whether its key was stored is read first,
 * in the same subtransaction.
 */
const eachRowFunction = (target: BatchTarget, shape: TableShape, staging: string, mode: ConflictMode): string => {
  const table = `${quote(target.schema)}.${quote(target.table)}`
  const keyIndex = target.columns.indexOf(target.primaryKey)
  const values = shape.types.map((type, index) => `di_r.di_v${index + 1}::${type}`).join(", ")
  const conflict = mode === "fail" ? "" : mode === "skip" ? " ON CONFLICT DO NOTHING" : ` ${replaceClause(target)}`
  const taken =
    mode === "replace"
      ? `SELECT EXISTS (SELECT 1 FROM ${table} di_t WHERE di_t.${quote(target.primaryKey)} = di_r.di_v${keyIndex + 1}::${shape.types[keyIndex] ?? "text"}) INTO di_taken;`
      : ""
  return `(di_ordinals integer[])
RETURNS TABLE (di_ord integer, di_outcome text, di_state text, di_message text, di_constraint text, di_column text, di_table text, di_schema text)
LANGUAGE plpgsql AS $di$
DECLARE
  di_r record;
  di_taken boolean;
  di_count bigint;
BEGIN
  FOR di_r IN SELECT di_s.* FROM pg_temp.${staging} di_s JOIN unnest(di_ordinals) AS di_k(o) ON di_k.o = di_s.di_o ORDER BY di_s.di_o LOOP
    di_ord := di_r.di_o;
    di_taken := false; di_state := NULL; di_message := NULL; di_constraint := NULL; di_column := NULL; di_table := NULL; di_schema := NULL;
    BEGIN
      ${taken}
      INSERT INTO ${table} (${target.columns.map(quote).join(", ")}) VALUES (${values})${conflict};
      GET DIAGNOSTICS di_count = ROW_COUNT;
      di_outcome := CASE WHEN di_taken THEN 'replaced' WHEN di_count > 0 THEN 'inserted' ELSE 'skipped' END;
    EXCEPTION WHEN ${ROW_REFUSAL_CONDITIONS} THEN
      GET STACKED DIAGNOSTICS di_state = RETURNED_SQLSTATE, di_message = MESSAGE_TEXT, di_constraint = CONSTRAINT_NAME,
        di_column = COLUMN_NAME, di_table = TABLE_NAME, di_schema = SCHEMA_NAME;
      di_outcome := 'refused';
    END;
    RETURN NEXT;
  END LOOP;
END
$di$`
}

/** Sends `data` through `COPY ... FROM STDIN`; resolves once the server has taken all of it. */
const copyIn = (client: pg.ClientBase, statement: string, data: Buffer): Promise<void> =>
  new Promise((resolve, reject) => {
    const stream = client.query(copyFrom(statement))
    stream.on("error", reject)
    stream.on("finish", () => resolve())
    stream.end(data)
  })
