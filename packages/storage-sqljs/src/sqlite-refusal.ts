import type { Refusal } from "@distributed-insert/storage"

// SQLite words every constraint failure the same way: `UNIQUE constraint failed: users.email`;
// a key of several columns lists them all (`t.a, t.b`), a unique index on an expression names
// the index (`index 'name'`), and a FOREIGN KEY names nothing.
const CONSTRAINT = /^(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.*))?$/s

// Exactly one column, with or without its table.
const ONE_COLUMN = /^(?:[^.\s,]+\.)?([^.\s,]+)$/

const KINDS = { UNIQUE: "unique", "NOT NULL": "not-null", CHECK: "check", "FOREIGN KEY": "foreign-key" } as const

/**
 * What SQLite's error says about a refused row. The column is named for UNIQUE and NOT NULL when
 * SQLite names exactly one (a CHECK names its expression or constraint, a FOREIGN KEY nothing);
 * the message stays verbatim.
 */
export const sqliteRefusal = (error: unknown): Refusal => {
  const message = error instanceof Error ? error.message : String(error)
  const match = CONSTRAINT.exec(message)
  const kind = match === null ? "other" : KINDS[match[1] as keyof typeof KINDS]
  const named = kind === "unique" || kind === "not-null" ? ONE_COLUMN.exec(match?.[2] ?? "") : null
  return { kind, column: named?.[1] ?? null, constraint: null, message }
}
