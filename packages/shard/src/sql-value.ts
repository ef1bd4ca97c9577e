/** A value SQLite stores in a column. */
export type SqlValue = number | string | Uint8Array | null
