import type { SqlValue } from "@distributed-insert/shard"
import pg from "pg"

/** What sessions call themselves in `pg_stat_activity`, so that a DBA (and a waiting writer) can tell whose they are. */
export const APPLICATION_NAME = "distributed-insert"

/**
 * Connections per PostgreSQL database URL. A shard database's work runs one operation at a time
 * (its own semaphore), so two are enough for one shard and a reader; shards sharing a URL share
 * the pool, hence a little more.
 */
const POOL_SIZE = 4

/** How long to wait for a server to answer a connection: an unreachable host would otherwise hang for minutes. */
const CONNECT_TIMEOUT_MS = 15_000

/** int8: a validated value is a safe integer; one beyond them would come back rounded, so it fails instead. */
const parseInt8 = (text: string): number => {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new RangeError(`the bigint value ${text} is beyond JavaScript's safe integers, so it cannot be read exactly`)
  return value
}

/** bytea in its default hex output (`\x0a1b`) as bytes. */
const parseBytea = (text: string): Uint8Array => {
  if (!text.startsWith("\\x")) throw new RangeError("bytea is not in hex output (bytea_output = hex is the default): cannot read it")
  return new Uint8Array(Buffer.from(text.slice(2), "hex"))
}

/**
 * How values are read back, for this package's clients only (never pg's global `pg.types`, which
 * every other user of pg in the process shares): integers and floating point as numbers,
 * numeric too (a shard stores doubles), bytea as bytes; every other type as PostgreSQL's text
 * (a date as `2026-01-31`, not a `Date`), so that every value read is an `SqlValue`.
 */
const TYPE_PARSERS: ReadonlyMap<number, (text: string) => SqlValue> = new Map<number, (text: string) => SqlValue>([
  [20, parseInt8],
  [21, Number],
  [23, Number],
  [26, Number],
  [700, Number],
  [701, Number],
  [1700, Number],
  [17, parseBytea]
])

const asText = (text: string): SqlValue => text

export const typeParsers = {
  getTypeParser: (oid: number) => TYPE_PARSERS.get(oid) ?? asText
}

/** For this package's own questions to the catalog: the same, and booleans as booleans. */
const catalogTypes = {
  getTypeParser: (oid: number) => (oid === 16 ? (text: string) => text === "t" : typeParsers.getTypeParser(oid))
}

/** Anything that runs a statement: a pool, or one of its connections. */
export type Queryable = pg.ClientBase | pg.Pool

/** `text` run on `db` for this package's own use (the catalog, the ledger, the lock): booleans read as booleans. */
export const ask = <R extends pg.QueryResultRow>(db: Queryable, text: string, values: ReadonlyArray<unknown> = []): Promise<pg.QueryResult<R>> =>
  db.query<R>({ text, values: [...values], types: catalogTypes })

/**
 * A pool of connections to the PostgreSQL database at `url`. The password comes from the URL, or
 * else from PGPASSWORD or ~/.pgpass, as libpq has it (node-postgres reads both). The client
 * encoding is UTF8 whatever the database's, so that text goes over the wire as JavaScript has it.
 */
export const makePool = (url: string): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: url,
    application_name: APPLICATION_NAME,
    client_encoding: "UTF8",
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: typeParsers
  })
  // An idle connection that the server closes (a restart, an administrator's terminate) is
  // dropped from the pool, which says so here; without a listener Node would crash the process
  // on the 'error' event. The next query opens a new connection, and fails on its own if it cannot.
  pool.on("error", () => {})
  return pool
}

/** A single connection to `url`, outside any pool: the session that holds a writer's lock. */
export const makeClient = (url: string): pg.Client =>
  new pg.Client({
    connectionString: url,
    application_name: APPLICATION_NAME,
    client_encoding: "UTF8",
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: typeParsers
  })

/** The fields of a PostgreSQL error (`DatabaseError`), if `cause` is one. */
export const databaseErrorOf = (cause: unknown): pg.DatabaseError | undefined => (cause instanceof pg.DatabaseError ? cause : undefined)

const codeOf = (cause: unknown): string | undefined => {
  if (typeof cause !== "object" || cause === null || !("code" in cause)) return undefined
  return typeof cause.code === "string" ? cause.code : undefined
}

/**
 * A sentence about an error, never holding a password: PostgreSQL's message with its SQLSTATE, or
 * a connection failure said plainly with what to do about it (`location` is the redacted URL).
 */
export const reasonOf = (cause: unknown, location: string): string => {
  const connection = connectionProblem(cause, location)
  if (connection !== undefined) return connection
  const database = databaseErrorOf(cause)
  if (database !== undefined) return `${database.message} (SQLSTATE ${database.code ?? "unknown"})`
  return cause instanceof Error ? cause.message : String(cause)
}

/** Why a connection to `location` failed, in words a user can act on; undefined when `cause` is no connection failure. */
export const connectionProblem = (cause: unknown, location: string): string | undefined => {
  const code = codeOf(cause)
  const message = cause instanceof Error ? cause.message : String(cause)
  switch (code) {
    case "28P01":
      return `authentication failed: ${message}; check the user and password in the URL (or PGPASSWORD, ~/.pgpass)`
    case "28000":
      return `the server does not let this user in: ${message}`
    case "3D000":
      return `${message} on the server of ${location}: create it first (${createdbHint(location)})`
    case "57P03":
    case "53300":
      return `the server of ${location} takes no connection now: ${message}`
    case "ECONNREFUSED":
      return `the PostgreSQL server of ${location} is not reachable: the connection was refused (is it running, and listening on that host and port?)`
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host of ${location} was not found (${message})`
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `the PostgreSQL server of ${location} is not reachable (${message})`
    case "ENOENT":
      return `no PostgreSQL server listens on the socket of ${location} (${message})`
  }
  if (message.includes("client password must be a string")) {
    return `the server of ${location} asks for a password and none was given: put it in the URL, in PGPASSWORD or in ~/.pgpass`
  }
  if (message.includes("timeout expired") || message.includes("connection timeout")) {
    return `the PostgreSQL server of ${location} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s`
  }
  if (message.includes("Connection terminated")) return `the connection to ${location} was closed: ${message}`
  return undefined
}

/** How to create the database a URL names, as a command line. */
const createdbHint = (location: string): string => {
  if (!URL.canParse(location)) return "createdb"
  const url = new URL(location)
  const database = decodeURIComponent(url.pathname.slice(1))
  const options = [
    url.hostname === "" ? "" : ` -h ${decodeURIComponent(url.hostname)}`,
    url.port === "" ? "" : ` -p ${url.port}`,
    url.username === "" ? "" : ` -U ${decodeURIComponent(url.username)}`
  ].join("")
  return `createdb${options}${database === "" ? "" : ` ${database}`}`
}
