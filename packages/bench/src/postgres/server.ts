import pg from "pg"
import { postgresIdentifier } from "./ddl.ts"

/**
 * The server given with `--postgres`: a URL whose user may CREATE DATABASE. The benchmark makes
 * its databases there, and points every contestant at them with URLs of the same server.
 */
export interface PostgresServer {
  /** `postgres://user:password@host:port`, without a database or parameters. */
  readonly base: string
  /** What the report shows instead of `base`: the password is never written. */
  readonly shownBase: string
  /** The URL of one database on this server, with the given URL's parameters (sslmode, say). */
  readonly databaseUrl: (database: string) => string
  /** `text` with the password replaced by `****`: for every message, progress line and report. */
  readonly mask: (text: string) => string
  /** Runs `work` with a client connected to the given URL's own database (the admin connection). */
  readonly withAdmin: <A>(work: (client: pg.Client) => Promise<A>) => Promise<A>
  readonly withDatabase: <A>(database: string, work: (client: pg.Client) => Promise<A>) => Promise<A>
}

export const postgresServer = (url: string): PostgresServer => {
  const parsed = new URL(url)
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new Error(`--postgres expects a postgres:// URL, got "${url}"`)
  const credentials = parsed.username === "" ? "" : `${parsed.username}${parsed.password === "" ? "" : `:${parsed.password}`}@`
  const base = `${parsed.protocol}//${credentials}${parsed.host}`
  const password = parsed.password
  // Only as it appears in a URL: the password may well be a common word (here it is the user name).
  const mask = (text: string): string => (password === "" ? text : text.replaceAll(`:${password}@`, ":****@"))
  const connect = async <A>(connectionString: string, work: (client: pg.Client) => Promise<A>): Promise<A> => {
    const client = new pg.Client({ connectionString })
    try {
      await client.connect()
      return await work(client)
    } catch (error) {
      throw new Error(mask(`PostgreSQL at ${connectionString}: ${error instanceof Error ? error.message : String(error)}`), { cause: error })
    } finally {
      await client.end()
    }
  }
  // The benchmark's database names are plain identifiers (and `$RUN` in the report): nothing to encode.
  const databaseUrl = (database: string) => `${base}/${database}${parsed.search}`
  return {
    base,
    shownBase: mask(base),
    databaseUrl,
    mask,
    withAdmin: (work) => connect(url, work),
    withDatabase: (database, work) => connect(databaseUrl(database), work)
  }
}

/** An empty database for one run (not timed). */
export const createDatabase = (server: PostgresServer, name: string): Promise<void> =>
  server.withAdmin(async (client) => {
    await client.query(`CREATE DATABASE ${postgresIdentifier(name)}`)
  })

/**
 * Drops a run's database. `WITH (FORCE)` (PostgreSQL 13+) ends sessions still open in it: a
 * contestant's backend may not have finished closing when its process has exited.
 */
export const dropDatabase = (server: PostgresServer, name: string): Promise<void> =>
  server.withAdmin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${postgresIdentifier(name)} WITH (FORCE)`)
  })

/** `SHOW server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
export const serverVersion = (server: PostgresServer): Promise<string> =>
  server.withAdmin(async (client) => {
    const result = await client.query<{ server_version: string }>("SHOW server_version")
    return result.rows[0]?.server_version ?? "unknown"
  })
