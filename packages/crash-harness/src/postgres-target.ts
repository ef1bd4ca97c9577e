import { join } from "node:path"
import { type Shard, ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { PgStorage, redactUrl } from "@distributed-insert/storage-pg"
import { createDatabaseOn, type TestDatabase } from "@distributed-insert/storage-pg/testing"
import { readShardFile, type ShardFile } from "@distributed-insert/storage-sqljs/testing"
import { Effect } from "effect"
import pg from "pg"
import { committedPrefix } from "./commit-markers.ts"
import type { KillContext, LoadKind, ShardHome, ShardPlace } from "./shard-home.ts"

/**
 * The crash harness on PostgreSQL (`pnpm crash --postgres URL`): every load (the reference loads
 * and each trial) gets PostgreSQL databases of its own on the server of `URL`, created before it
 * and dropped (`WITH (FORCE)`) after it, named `di_crash_<pid>_<load>_<shard>_<random>` so that
 * two harnesses, or a harness and the tests, never meet.
 *
 * Trials alternate, two by two (so that each meets workers on and off), between two layouts:
 * - `postgres`: each shard in a PostgreSQL database of its own (`--database users=URL1
 *   --database orders=URL2`);
 * - `mixed`: users in a PostgreSQL database, orders in a sql.js file of the data directory, as a
 *   user moving one model to a server would have it.
 * The reference loads use the `postgres` layout, so the rows every trial is compared with (the
 * file shard's of a mixed trial included) are what the PostgreSQL engine gives back: a file that
 * stored anything else would show as losses and strangers.
 */
export interface PostgresHomeOptions {
  /**
   * A server's URL naming a database to connect to for creating and dropping the trial
   * databases (`postgres`, say), as a role with CREATEDB; the trial databases' URLs are it with
   * their own name.
   */
  readonly url: string
  /** How long the dead load's sessions may take to end after the kill before that is a problem (default 10 s). */
  readonly settleSeconds?: number
}

type Layout = "postgres" | "mixed"

/** The shard that stays a file in a mixed layout: the harness's second shard. */
const FILE_SHARD_IN_MIXED = "orders"

const layoutOf = (load: LoadKind): Layout => (load._tag === "reference" || Math.floor((load.trial - 1) / 2) % 2 === 0 ? "postgres" : "mixed")

const DEFAULT_SETTLE_SECONDS = 10
/** Polls of the dead load's sessions: a session that ends at all ends within milliseconds of the kill. */
const SETTLE_POLL_MS = 10

export const postgresHome = (options: PostgresHomeOptions): ShardHome => {
  const location = redactUrl(options.url)
  return {
    description: `PostgreSQL on ${location} (alternately every shard in a database of its own, and users there with orders in a file)`,
    open: (dataDir, load) => openPlace(options, dataDir, load)
  }
}

const openPlace = async (options: PostgresHomeOptions, dataDir: string, load: LoadKind): Promise<ShardPlace> => {
  const layout = layoutOf(load)
  const tag = load._tag === "reference" ? "ref" : `t${load.trial}`
  /** Database (the PostgreSQL one) by shard, for the shards this load puts on the server. */
  const databases = new Map<string, TestDatabase>()
  const close = async () => {
    const failures: Array<string> = []
    for (const database of databases.values()) await database.drop().catch((error: unknown) => failures.push(messageOf(error)))
    if (failures.length > 0) throw new Error(failures.join("; "))
  }
  try {
    for (const shard of ["users", "orders"]) {
      if (layout === "mixed" && shard === FILE_SHARD_IN_MIXED) continue
      databases.set(shard, await createDatabaseOn(options.url, `di_crash_${process.pid}_${tag}_${shard}`))
    }
  } catch (error) {
    await close().catch(() => undefined)
    throw new Error(`cannot create the trial databases on ${redactUrl(options.url)}: ${messageOf(error)}`, { cause: error })
  }
  const urlOf = (shard: string): string | undefined => databases.get(shard)?.url
  return {
    layout: layout === "postgres" ? "postgres" : `mixed (users: PostgreSQL, ${FILE_SHARD_IN_MIXED}: file)`,
    args: [...databases].flatMap(([shard, { url }]) => ["--database", `${shard}=${url}`]),
    read: (shard) => {
      const url = urlOf(shard.name)
      return url === undefined ? readShardFile(join(dataDir, `${shard.name}.db`), shard) : readPgShard(url, shard)
    },
    afterKill: (context) => afterKill(options, databases, context),
    close
  }
}

/**
 * What the harness checks of the PostgreSQL shards after a kill, before it reads them and before
 * the re-run, in this order:
 * 1. The dead load's sessions end: the server notices the closed sockets and ends them, rolling
 *    back a transaction in flight (a batch whose COMMIT it had received commits first). Until then
 *    the shard could still change under the reads, and the lock could still be held. Waited for,
 *    up to `settleSeconds`; the time it took is noted when it is not immediate.
 * 2. A new writer gets the shard's lock at once (no waiting, `--wait-lock 0` as the re-run has it),
 *    taken by storage-pg's own writer, so with the very key the CLI locks with.
 * 3. Each row once (the reader's rows against their distinct ids), and the rows are those of a
 *    whole-batch prefix of the input: the markers' batch, or one batch more (commit-markers.ts).
 */
const afterKill = async (options: PostgresHomeOptions, databases: ReadonlyMap<string, TestDatabase>, context: KillContext) => {
  const problems: Array<string> = []
  const notes: Array<string> = []
  const deadline = Date.now() + (options.settleSeconds ?? DEFAULT_SETTLE_SECONDS) * 1000
  const started = Date.now()
  for (const [shard, { name }] of databases) {
    const left = await waitForSessionsToEnd(options.url, name, deadline)
    if (left > 0) problems.push(`${shard}: ${left} sessions of the killed load still connected after ${options.settleSeconds ?? DEFAULT_SETTLE_SECONDS} s`)
  }
  const settledMs = Date.now() - started
  if (settledMs >= 50) notes.push(`sessions ended after ${settledMs} ms`)
  for (const [shard, { url }] of databases) {
    const locked = await takeWriterLock(url, shard)
    if (locked !== undefined) problems.push(`${shard}: a new writer cannot take the lock: ${locked}`)
    const rows = await selectRows(url, shard)
    if (rows._tag === "Unreadable") {
      problems.push(`${shard}: ${rows.reason}`)
      continue
    }
    const ids = new Set(rows.ids)
    if (ids.size !== rows.ids.length) problems.push(`${shard}: ${rows.ids.length - ids.size} rows share an id with another`)
    const expected = context.expected.get(shard)
    if (expected === undefined) continue
    const prefix = committedPrefix(shard, ids, context.durable.get(shard) ?? 0, context.batchSize, expected)
    problems.push(...prefix.problems)
    if (prefix.beyondMarkers > 0) notes.push(`${shard} +${prefix.beyondMarkers} committed past the markers`)
  }
  return { problems, notes }
}

/** Polls until no session but this one is connected to database `name`; returns how many still are at the deadline. */
const waitForSessionsToEnd = async (serverUrl: string, name: string, deadline: number): Promise<number> => {
  const client = new pg.Client({ connectionString: serverUrl, application_name: "distributed-insert crash harness" })
  await client.connect()
  try {
    for (;;) {
      const result = await client.query<{ sessions: number }>(
        "SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name]
      )
      const sessions = result.rows[0]?.sessions ?? 0
      if (sessions === 0 || Date.now() >= deadline) return sessions
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
    }
  } finally {
    await client.end()
  }
}

/** Takes and releases shard database `shard`'s writer lock as storage-pg's writer takes it, without waiting; the failure's message, or undefined. */
const takeWriterLock = (url: string, shard: string): Promise<string | undefined> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const storage = yield* ShardStorage
      yield* storage.lock(ShardName.make(shard))
    }).pipe(
      Effect.provide(PgStorage.layer({ databases: { [shard]: url }, writer: { waitSeconds: 0 } })),
      Effect.match({ onFailure: (error) => error.message, onSuccess: () => undefined })
    )
  )

/**
 * The ids of every row of the shard's table, one per row (duplicates kept), read with `pg`
 * directly rather than through the storage: a reader that keyed rows by id would hide a
 * duplicate. A shard database not migrated yet (killed before its table was made) has none.
 */
const selectRows = async (
  url: string,
  shard: string
): Promise<{ readonly _tag: "Rows"; readonly ids: ReadonlyArray<number> } | { readonly _tag: "Unreadable"; readonly reason: string }> => {
  const client = new pg.Client({ connectionString: url, application_name: "distributed-insert crash harness" })
  try {
    await client.connect()
    const table = `"${shard}"."${shard}"`
    const present = await client.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [table])
    if (present.rows[0]?.found !== true) return { _tag: "Rows", ids: [] }
    // Text: pg gives bigint as text, which Number reads exactly for the safe integers ids are.
    const result = await client.query<{ id: string }>(`SELECT id::text AS id FROM ${table}`)
    return { _tag: "Rows", ids: result.rows.map((row) => Number(row.id)) }
  } catch (error) {
    return { _tag: "Unreadable", reason: `cannot read its rows: ${messageOf(error)}` }
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * A PostgreSQL shard's rows as `readShardFile` reads a file's: through the storage as a reader (no
 * lock, nothing written), after the engine's own integrity checks, each row by id as its JSON
 * text, which for the same record is the sql.js engine's text (numbers as numbers), so the two
 * compare. A shard database that was never written (killed before its migrations ledger was
 * made) is "Missing"; one whose model's table is not made yet holds no rows.
 */
export const readPgShard = (url: string, shard: Shard): Promise<ShardFile> => {
  const read = Effect.gen(function* () {
    const storage = yield* ShardStorage
    const database = yield* storage.database(shard.name)
    if (!database.exists) return { _tag: "Missing" } satisfies ShardFile
    const problems = yield* database.integrityProblems
    if (problems.length > 0) return { _tag: "Corrupt", reason: `integrity: ${problems.join("; ")}` } satisfies ShardFile
    const rows = new Map<number, string>()
    const migrated = (yield* database.appliedMigrations).some((migration) => migration.model === shard.model)
    if (!migrated) return { _tag: "Sound", rows } satisfies ShardFile
    for (const row of yield* database.select(shard, {})) rows.set(Number(row["id"]), JSON.stringify(row))
    return { _tag: "Sound", rows } satisfies ShardFile
  })
  return Effect.runPromise(
    read.pipe(
      // An unreadable shard is not a reason to stop: it is what the harness looks for.
      Effect.catch((error) => Effect.succeed<ShardFile>({ _tag: "Corrupt", reason: error.message })),
      Effect.provide(PgStorage.layer({ databases: { [shard.name]: url } }))
    )
  )
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
