import { StorageError } from "@distributed-insert/storage"
import { Clock, Duration, Effect, type Scope } from "effect"
import type pg from "pg"
import { ask, makeClient, reasonOf } from "./pg-connection.ts"

/** How a writer waits for another writer's lock. */
export interface PgLockWait {
  /** How long to wait for another writer to finish; 0 (or less) fails at once. */
  readonly waitSeconds: number
  /** Runs once, when the lock is first found held and the wait begins, with who holds it. */
  readonly onWait?: (busy: string) => Effect.Effect<void>
}

/** A lock held: `lost` says why it no longer is, once the session holding it has died. */
export interface PgLockHandle {
  readonly lost: () => string | undefined
}

/** Polls start fast (a run that is finishing lets go in milliseconds) and back off to this. */
const FIRST_POLL_MS = 20
const LONGEST_POLL_MS = 500

/**
 * The advisory lock key of shard database `name`: a 64-bit hash of a prefix of this project's and
 * the name. Advisory locks belong to one PostgreSQL database, so shard databases of the same name
 * in different PostgreSQL databases (or servers) have different locks, as they should.
 */
const LOCK_KEY_SQL = "hashtextextended('distributed-insert shard database ' || $1, 0)"

/**
 * One writer per shard database at a time, across processes and machines: a session-level
 * advisory lock (`pg_try_advisory_lock`) taken on a connection of its own, held for the current
 * scope and released by closing that session, which PostgreSQL also does when the process dies
 * (a killed writer never leaves a lock behind). Polled up to `waitSeconds`, telling `onWait`
 * once who holds it. Readers never take it, and it blocks nothing but another writer's attempt.
 *
 * If the session is lost while held (the server restarts, an administrator terminates it), the
 * lock is gone and another writer may take it: `lost` then says so, and the storage fails every
 * later use of the database rather than write without it.
 */
export const acquirePgLock = (options: {
  readonly name: string
  readonly url: string
  readonly location: string
  readonly wait: PgLockWait
}): Effect.Effect<PgLockHandle, StorageError, Scope.Scope> =>
  Effect.gen(function* () {
    const fail = (reason: string, cause?: unknown, operation: "open" | "lock" = "lock") =>
      new StorageError({ shard: options.name, location: options.location, operation, reason, ...(cause === undefined ? {} : { cause }) })
    let lost: string | undefined
    let closing = false
    const client = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const client = makeClient(options.url)
          // Both events say the session, and with it the lock, is gone.
          client.on("error", (error) => {
            lost ??= `the connection holding the writer's lock was lost (${reasonOf(error, options.location)}), so another writer may have taken it`
          })
          client.on("end", () => {
            if (!closing) lost ??= "the connection holding the writer's lock was closed, so another writer may have taken it"
          })
          await client.connect()
          return client
        },
        // The first connection a writer makes: failing it is failing to open the database.
        catch: (cause) => fail(reasonOf(cause, options.location), cause, "open")
      }),
      (client) =>
        Effect.promise(async () => {
          closing = true
          // Closing the session releases the lock; a session already broken has released it too,
          // so a failure to close it politely changes nothing.
          await client.end().catch(() => undefined)
        })
    )
    const query = <A>(what: string, run: (client: pg.Client) => Promise<A>) =>
      Effect.tryPromise({ try: () => run(client), catch: (cause) => fail(`${what}: ${reasonOf(cause, options.location)}`, cause) })

    const waitMs = options.wait.waitSeconds > 0 ? options.wait.waitSeconds * 1000 : 0
    const started = yield* Clock.currentTimeMillis
    let told = false
    let pause = FIRST_POLL_MS
    for (;;) {
      const taken = yield* query("cannot take the writer's lock", async (session) => {
        const result = await ask<{ taken: boolean }>(session, `SELECT pg_try_advisory_lock(${LOCK_KEY_SQL}) AS taken`, [options.name])
        return result.rows[0]?.taken === true
      })
      if (taken) return { lost: () => lost }
      const holder = yield* query("cannot see who holds the writer's lock", (session) => holderOf(session, options.name))
      const busy = `shard ${options.name} (${options.location}) is being written by another run: ${holder}`
      const waited = (yield* Clock.currentTimeMillis) - started
      if (waited >= waitMs) {
        const after = waitMs > 0 ? `; gave up after waiting ${Math.round(waited / 100) / 10} s` : ""
        return yield* Effect.fail(
          new StorageError({ shard: options.name, location: options.location, operation: "lock", reason: `locked by another writer, ${holder}${after}`, heldByAnother: true })
        )
      }
      if (!told) {
        told = true
        yield* options.wait.onWait?.(busy) ?? Effect.void
      }
      yield* Effect.sleep(Duration.millis(Math.min(pause, waitMs - waited)))
      pause = Math.min(pause * 2, LONGEST_POLL_MS)
    }
  })

interface Holder {
  readonly pid: number
  readonly application_name: string | null
  readonly client: string | null
  readonly since: string | null
}

/**
 * Who holds the lock, as `pg_locks` and `pg_stat_activity` tell: a 64-bit advisory key shows as
 * its high half in `classid`, its low half in `objid`, and `objsubid` 1. A session of another
 * user may hide its details (without pg_read_all_stats): then only its pid is told.
 */
const holderOf = async (session: pg.Client, name: string): Promise<string> => {
  const result = await ask<Holder>(
    session,
    `SELECT l.pid, a.application_name, host(a.client_addr) AS client,
            to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
       FROM pg_locks l
       LEFT JOIN pg_stat_activity a ON a.pid = l.pid,
            (SELECT ${LOCK_KEY_SQL} AS key) k
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = ((k.key >> 32) & 4294967295)::oid AND l.objid = (k.key & 4294967295)::oid AND l.objsubid = 1`,
    [name]
  )
  const [holder] = result.rows
  // Released between the attempt and this look: the next attempt will likely get it.
  if (holder === undefined) return "a PostgreSQL session that has just let go of it"
  const application = holder.application_name === null || holder.application_name === "" ? "" : ` "${holder.application_name}"`
  const from = holder.client === null ? "" : ` from ${holder.client}`
  const since = holder.since === null ? "" : `, connected since ${holder.since}`
  return `PostgreSQL session ${holder.pid}${application}${from}${since}`
}
