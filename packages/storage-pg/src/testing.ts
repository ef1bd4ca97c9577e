/**
 * PostgreSQL for tests, benchmarks and tools: the test servers' URLs (from the environment), a
 * fresh database on one of them for as long as a scope (or until `drop`), and whether tests that
 * need a server should be skipped. Meant for every package that tests against PostgreSQL (the
 * storage itself, the CLI, the benchmark, the crash harness), so it imports no test runner:
 *
 * ```ts
 * describe.skipIf(skipWithoutPg())("...", () => {
 *   it.live("...", () => Effect.gen(function* () {
 *     const url = yield* withTestDatabase()
 *     ...
 *   }))
 * })
 * ```
 *
 * Where `DISTRIBUTED_INSERT_TEST_PG` (or `..._PG2` for the second server) is unset, those tests are
 * skipped, saying so on stderr; in CI (`CI=true`) they are not, and fail saying the variable is
 * unset, since CI must run them (`.ci/postgres.sh` starts both servers and sets both variables).
 *
 * @module
 */
import { randomBytes } from "node:crypto"
import { Effect, type Scope } from "effect"
import pg from "pg"
import { redactUrl } from "./redact-url.ts"

/** The first test server, or the second (for shards on two servers at once). */
export type PgTestServer = "first" | "second"

/** The environment variable holding each test server's URL (a role with CREATEDB, database `postgres`). */
export const PG_TEST_ENV: Readonly<Record<PgTestServer, string>> = {
  first: "DISTRIBUTED_INSERT_TEST_PG",
  second: "DISTRIBUTED_INSERT_TEST_PG2"
}

/** The URL of test server `server`, or undefined when its variable is unset or empty. */
export const pgTestServer = (server: PgTestServer = "first"): string | undefined => {
  const url = process.env[PG_TEST_ENV[server]]
  return url === undefined || url === "" ? undefined : url
}

const told = new Set<PgTestServer>()

/**
 * Whether tests that need test server `server` are to be skipped: its variable is unset and this
 * is not CI. Says so on stderr, once per server and process. In CI, false whatever the variable:
 * the tests then run and fail, as they must where PostgreSQL is missing.
 */
export const skipWithoutPg = (server: PgTestServer = "first"): boolean => {
  if (pgTestServer(server) !== undefined || process.env["CI"] === "true") return false
  if (!told.has(server)) {
    told.add(server)
    process.stderr.write(`note: ${PG_TEST_ENV[server]} is not set: the tests that need PostgreSQL are skipped (. .ci/postgres.sh starts the servers and sets it)\n`)
  }
  return true
}

/** A database made for a test. */
export interface TestDatabase {
  /** Its name on the server. */
  readonly name: string
  /** Its URL, with the server's credentials. */
  readonly url: string
  /** Drops it, closing whatever sessions are still connected to it. */
  readonly drop: () => Promise<void>
}

/** The URL of test server `server`, or an error saying which variable to set. */
const serverUrl = (server: PgTestServer): string => {
  const url = pgTestServer(server)
  if (url === undefined) throw new Error(`${PG_TEST_ENV[server]} is not set: these tests need a PostgreSQL server (. .ci/postgres.sh starts one and sets it)`)
  return url
}

/** Runs `sql` on the server's maintenance database (the one its URL names). */
const onServer = async (url: string, sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url, application_name: "distributed-insert tests" })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * A new, empty database on test server `server`, named `<prefix>_<time>_<random>` so that
 * concurrent test runs never meet. Outside Effect, for scripts; see `withTestDatabase`.
 */
export const createTestDatabase = async (server: PgTestServer = "first", prefix = "di_test"): Promise<TestDatabase> =>
  createDatabaseOn(serverUrl(server), prefix)

/**
 * A new, empty database on the server `base` reaches (a URL whose user may CREATE DATABASE),
 * named as `createTestDatabase`'s are: for tools given a server of their own, like the crash harness.
 */
export const createDatabaseOn = async (base: string, prefix: string): Promise<TestDatabase> => {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`
  try {
    await onServer(base, `CREATE DATABASE "${name}"`)
  } catch (error) {
    throw new Error(`cannot create test database ${name} on ${redactUrl(base)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  return { name, url: databaseUrl(base, name), drop: () => dropDatabase(base, name) }
}

/** How many times, and how far apart, a drop is tried: see `dropDatabase`. */
const DROP_ATTEMPTS = 20
const DROP_PAUSE_MS = 250

/**
 * Drops database `name`, closing the sessions still connected to it. Tried again for a few
 * seconds: FORCE refuses to terminate some sessions (a busy server's autovacuum worker on a table
 * just loaded, for one), which end on their own soon after.
 */
const dropDatabase = async (base: string, name: string): Promise<void> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await onServer(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      return
    } catch (error) {
      if (attempt >= DROP_ATTEMPTS) {
        throw new Error(`cannot drop test database ${name} on ${redactUrl(base)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
      }
      await new Promise((resolve) => setTimeout(resolve, DROP_PAUSE_MS))
    }
  }
}

/** `base` naming database `name` instead of its own. */
export const databaseUrl = (base: string, name: string): string => {
  const url = new URL(base)
  url.pathname = `/${encodeURIComponent(name)}`
  return url.toString()
}

/**
 * The URL of a new, empty database on test server `server`, dropped (`WITH (FORCE)`) when the
 * scope closes. A server that cannot be reached or a variable that is unset is a defect: the test
 * fails saying so.
 */
export const withTestDatabase = (server: PgTestServer = "first", prefix?: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => createTestDatabase(server, prefix)),
      (database) => Effect.promise(database.drop)
    ),
    (database) => database.url
  )
