import type { Refusal } from "@distributed-insert/storage"

// SQLite words every constraint failure the same way: `UNIQUE constraint failed: users.email`.
const CONSTRAINT = /^(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed: (?:[^.\s]+\.)?(\S+)/

const KINDS = { UNIQUE: "unique", "NOT NULL": "not-null", CHECK: "check", "FOREIGN KEY": "foreign-key" } as const

/**
 * What SQLite's error says about a refused row. The column is named for UNIQUE and NOT NULL (a
 * CHECK names its expression or constraint, a FOREIGN KEY nothing); the message stays verbatim.
 */
export const sqliteRefusal = (error: unknown): Refusal => {
  const message = error instanceof Error ? error.message : String(error)
  const match = CONSTRAINT.exec(message)
  const kind = match === null ? "other" : KINDS[match[1] as keyof typeof KINDS]
  const column = kind === "unique" || kind === "not-null" ? (match?.[2] ?? null) : null
  return { kind, column, constraint: null, message }
}
