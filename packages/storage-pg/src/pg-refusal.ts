import type { Refusal, RefusalKind } from "@distributed-insert/storage"

/** What PostgreSQL says about an error, as `DatabaseError` has it and `GET STACKED DIAGNOSTICS` gives it. */
export interface PgErrorFields {
  /** The SQLSTATE. */
  readonly code: string
  readonly message: string
  readonly constraint?: string | null | undefined
  readonly column?: string | null | undefined
  readonly table?: string | null | undefined
  readonly schema?: string | null | undefined
}

const KINDS: Readonly<Record<string, RefusalKind>> = {
  "23505": "unique",
  "23502": "not-null",
  "23514": "check",
  "23503": "foreign-key"
}

/** The kind of refusal a SQLSTATE is: by its code alone, never by the words of the message. */
export const refusalKind = (code: string): RefusalKind => KINDS[code] ?? "other"

/**
 * Errors that refuse one row and say nothing about the others: integrity constraint violations
 * (class 23), a value the column's type cannot take (class 22: out of range, invalid text
 * representation, too long), a trigger's `RAISE EXCEPTION` (P0001) or failed action (09), and a
 * view's or policy's WITH CHECK OPTION (44). Everything else (a missing table, a permission, a
 * deadlock, a cancelled statement, a full disk) fails the whole batch: it is not the row's fault.
 */
export const isRowRefusal = (code: string): boolean =>
  code.startsWith("23") || code.startsWith("22") || code.startsWith("09") || code.startsWith("44") || code === "P0001"

/** The same classes as condition names, for a PL/pgSQL exception handler (see `isRowRefusal`). */
export const ROW_REFUSAL_CONDITIONS =
  "integrity_constraint_violation OR data_exception OR triggered_action_exception OR with_check_option_violation OR raise_exception"

/**
 * The refusal PostgreSQL's error makes. `column` is the error's own column (NOT NULL names it),
 * else the one column of the constraint at fault (`constraintColumns`, from the catalog: a unique
 * index, a CHECK or a foreign key over exactly one column); null when there is no single column.
 * The message is PostgreSQL's, verbatim.
 */
export const pgRefusal = (error: PgErrorFields, constraintColumns: ReadonlyArray<string> | undefined): Refusal => {
  const column = nonEmpty(error.column) ?? (constraintColumns?.length === 1 ? (constraintColumns[0] ?? null) : null)
  return { kind: refusalKind(error.code), column, constraint: nonEmpty(error.constraint), message: error.message }
}

const nonEmpty = (value: string | null | undefined): string | null => (value === undefined || value === null || value === "" ? null : value)
