/**
 * How the better-sqlite3 baseline keeps a record the database refuses from taking its batch's
 * transaction down with it:
 * - `savepoint`: a SAVEPOINT per record, as the issue defines the baseline the targets use;
 * - `statement`: nothing extra, as `populate` does: SQLite undoes a failed INSERT on its own
 *   and leaves the transaction open, which is cheaper. Reported for information only.
 */
export type Atomicity = "savepoint" | "statement"

export const atomicities: ReadonlyArray<Atomicity> = ["savepoint", "statement"]

export const isAtomicity = (value: string): value is Atomicity => atomicities.some((atomicity) => atomicity === value)
