import type pg from "pg"

/** A transaction whose rollback failed too: its connection is in an unknown state and must not go back to the pool. */
export class RollbackFailed extends Error {
  readonly rollbackError: unknown
  constructor(cause: unknown, rollbackError: unknown) {
    super(`${messageOf(cause)} (and the rollback failed: ${messageOf(rollbackError)})`, { cause })
    this.rollbackError = rollbackError
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Undoes the open transaction and rethrows `cause`, or a `RollbackFailed` keeping both. */
export const rollbackAfter = async (client: pg.ClientBase, cause: unknown): Promise<never> => {
  try {
    await client.query("ROLLBACK")
  } catch (rollbackError) {
    throw new RollbackFailed(cause, rollbackError)
  }
  throw cause
}

/** `work` in a transaction of its own: committed if it returns, rolled back if it throws. */
export const inTransaction = async <A>(client: pg.ClientBase, work: () => Promise<A>, begin = "BEGIN"): Promise<A> => {
  await client.query(begin)
  try {
    const result = await work()
    await client.query("COMMIT")
    return result
  } catch (error) {
    return rollbackAfter(client, error)
  }
}
