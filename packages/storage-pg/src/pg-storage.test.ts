import { inspect } from "node:util"
import { type Migration, type Row, ShardName } from "@distributed-insert/shard"
import { type Refusal, type RowOutcome, type ShardDatabase, ShardStorage, type StorageError, type TableTarget } from "@distributed-insert/storage"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import pg from "pg"
import { PgStorage, type PgStorageOptions } from "./pg-storage.ts"
import { redactUrl } from "./redact-url.ts"
import { databaseUrl, pgTestServer, skipWithoutPg, withTestDatabase } from "./testing.ts"

const storageOf = (options: PgStorageOptions) => Effect.map(Layer.build(PgStorage.layer(options)), Context.get(ShardStorage))
const writer = { waitSeconds: 0 }
const name = (text: string) => ShardName.make(text)

/** One database `name` at `url`, opened by a writer storage for the scope. */
const openWriter = (url: string, database = "shard") =>
  Effect.flatMap(storageOf({ databases: { [database]: url }, writer }), (storage) => storage.database(name(database)))

/** Runs `text` on `url` with a client of the test's own, not the storage's. */
const sql = <R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, text: string, values: ReadonlyArray<unknown> = []) =>
  Effect.promise(async () => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return (await client.query<R>(text, [...values])).rows
    } finally {
      await client.end()
    }
  })

const table = (tableName: string, columns: ReadonlyArray<string>, primaryKey = "id"): TableTarget => ({ table: tableName, columns, primaryKey })
const migration = (text: string, version = 1): Migration => ({ version, description: `step ${version}`, sql: text })
const tags = (outcomes: ReadonlyArray<{ readonly _tag: string }>) => outcomes.map((outcome) => outcome._tag)

const refusalOf = (outcome: RowOutcome | undefined): Refusal => {
  if (outcome?._tag !== "Refused") throw new Error(`expected a refusal, got ${JSON.stringify(outcome)}`)
  return outcome.refusal
}

describe.skipIf(skipWithoutPg())("PostgreSQL storage", () => {
  describe("the COPY path", () => {
    it.live("gives back exactly the text and numbers it was given: tabs, newlines, backslashes, quotes, unicode, empty text and NULL, doubles, -0, safe integers", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const database = yield* openWriter(url)
        const samples = table("samples", ["id", "label", "amount", "ratio"])
        yield* database.migrate("Sample", [
          {
            version: 1,
            description: "create samples",
            createTable: {
              table: "samples",
              columns: [
                { name: "id", type: "integer", notNull: true },
                { name: "label", type: "text", notNull: false },
                { name: "amount", type: "integer", notNull: false },
                { name: "ratio", type: "real", notNull: false }
              ],
              primaryKey: "id"
            }
          }
        ])
        const texts = [
          "tab\there",
          "new\nline",
          "carriage\rreturn",
          "back\\slash",
          "\\N",
          "\\.",
          "\\",
          "quotes ' \" `",
          "ünïcödé 日本語 Ελληνικά",
          "emoji 😀👍🏽🇫🇷",
          "\uFEFF leading byte order mark",
          "",
          " ",
          null,
          "x".repeat(100_000)
        ]
        const numbers = [0.1, 0.1 + 0.2, 1e308, -0, 5e-324, -1.7976931348623157e308, Math.PI, 123456.789, 1e-300, 2 ** 52 + 0.5]
        const integers = [0, -1, 2_147_483_648, -2_147_483_649, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_234_567_890_123]
        const rows: Array<Row> = Array.from({ length: Math.max(texts.length, numbers.length, integers.length) }, (_, index) => [
          index + 1,
          texts[index % texts.length] ?? null,
          integers[index % integers.length] ?? null,
          numbers[index % numbers.length] ?? null
        ])
        // -0 in an integer column is 0 (as in SQLite); in a double column it stays -0.
        rows.push([Number.MAX_SAFE_INTEGER, null, null, null], [Number.MIN_SAFE_INTEGER, "", 0, -0])
        expect(tags(yield* database.insertBatch(samples, rows))).toEqual(rows.map(() => "Inserted"))
        const stored = yield* database.select(samples, {})
        const expected = [...rows].sort((left, right) => Number(left[0]) - Number(right[0])).map(([id, label, amount, ratio]) => ({ id, label, amount, ratio }))
        // toEqual tells -0 from 0.
        expect(stored).toEqual(expected)
        expect(Object.is((yield* database.select(samples, { key: Number.MIN_SAFE_INTEGER }))[0]?.["ratio"], -0)).toBe(true)
      })
    )

    it.live("refuses, row by row, text PostgreSQL cannot take at all (NUL, a lone surrogate), and lands the rest", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        const notes = table("notes", ["id", "body"])
        yield* database.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY, body text)")])
        const outcomes = yield* database.insertBatch(notes, [[1, "fine"], [2, "NUL \u0000 inside"], [3, "lone \uD800"], [4, "fine too"]])
        expect(tags(outcomes)).toEqual(["Inserted", "Refused", "Refused", "Inserted"])
        expect(refusalOf(outcomes[1]).message).toContain("NUL")
        expect(yield* database.count("notes")).toBe(2)
      })
    )
  })

  describe("refusals", () => {
    const accounts = table("accounts", ["id", "email", "age", "team_id", "small"])
    const accountsDdl = migration(
      "CREATE TABLE teams (id bigint PRIMARY KEY); " +
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL CONSTRAINT accounts_email_unique UNIQUE, " +
        "age bigint CONSTRAINT adult CHECK (age >= 18), team_id bigint CONSTRAINT accounts_team_fk REFERENCES teams (id), small integer); " +
        "INSERT INTO teams VALUES (1)"
    )

    it.live("are classified by SQLSTATE, with the column and constraint, and PostgreSQL's message verbatim", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        yield* database.migrate("Account", [accountsDdl])
        expect(tags(yield* database.insertBatch(accounts, [[1, "ann@example.com", 30, 1, 1]]))).toEqual(["Inserted"])
        // A NOT NULL, a CHECK, a foreign key and a value out of range: the set-based insert fails, and the batch goes row by row.
        const outcomes = yield* database.insertBatch(accounts, [
          [1, "other@example.com", 30, 1, 1],
          [2, "ann@example.com", 30, 1, 1],
          [3, null, 30, 1, 1],
          [4, "young@example.com", 10, 1, 1],
          [5, "lost@example.com", 30, 99, 1],
          [6, "big@example.com", 30, 1, 3_000_000_000],
          [7, "fine@example.com", 40, null, null]
        ])
        expect(tags(outcomes)).toEqual(["Refused", "Refused", "Refused", "Refused", "Refused", "Refused", "Inserted"])
        expect(refusalOf(outcomes[0])).toEqual({
          kind: "unique",
          column: "id",
          constraint: "accounts_pkey",
          message: 'duplicate key value violates unique constraint "accounts_pkey"'
        })
        expect(refusalOf(outcomes[1])).toMatchObject({ kind: "unique", column: "email", constraint: "accounts_email_unique" })
        expect(refusalOf(outcomes[2])).toMatchObject({ kind: "not-null", column: "email", constraint: null })
        expect(refusalOf(outcomes[2]).message).toContain('null value in column "email"')
        expect(refusalOf(outcomes[3])).toMatchObject({ kind: "check", column: "age", constraint: "adult" })
        expect(refusalOf(outcomes[4])).toMatchObject({ kind: "foreign-key", column: "team_id", constraint: "accounts_team_fk" })
        expect(refusalOf(outcomes[5])).toMatchObject({ kind: "other", column: null, message: 'value "3000000000" is out of range for type integer' })
        expect((yield* database.select(accounts, {})).map((row) => row["id"])).toEqual([1, 7])
      })
    )

    it.live("in fail mode, rows the set-based insert skipped get PostgreSQL's own unique violation", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        yield* database.migrate("Account", [accountsDdl])
        yield* database.insertBatch(accounts, [[1, "ann@example.com", 30, 1, 1]])
        const outcomes = yield* database.insertBatch(accounts, [
          [2, "bob@example.com", 30, 1, 1],
          [1, "again@example.com", 30, 1, 1],
          [3, "ann@example.com", 30, 1, 1],
          [4, "cy@example.com", 30, 1, 1]
        ])
        expect(tags(outcomes)).toEqual(["Inserted", "Refused", "Refused", "Inserted"])
        expect(refusalOf(outcomes[1])).toMatchObject({ kind: "unique", column: "id", constraint: "accounts_pkey" })
        expect(refusalOf(outcomes[2])).toEqual({
          kind: "unique",
          column: "email",
          constraint: "accounts_email_unique",
          message: 'duplicate key value violates unique constraint "accounts_email_unique"'
        })
      })
    )

    it.live("a trigger's RAISE refuses its row alone; a batch of thousands with one bad row lands the others", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        const notes = table("notes", ["id", "body"])
        yield* database.migrate("Note", [
          migration(
            "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL CHECK (body <> 'bad')); " +
              "CREATE FUNCTION no_secrets() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.body = 'secret' THEN RAISE EXCEPTION 'no secrets in notes'; END IF; RETURN NEW; END $$; " +
              "CREATE TRIGGER no_secrets BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION no_secrets()"
          )
        ])
        const rows: Array<Row> = Array.from({ length: 3000 }, (_, index) => [index + 1, index === 1234 ? "bad" : index === 2345 ? "secret" : `note ${index}`])
        const outcomes = yield* database.insertBatch(notes, rows)
        expect(outcomes.filter((outcome) => outcome._tag === "Inserted")).toHaveLength(2998)
        expect(refusalOf(outcomes[1234])).toMatchObject({ kind: "check", column: "body" })
        expect(refusalOf(outcomes[2345])).toEqual({ kind: "other", column: null, constraint: null, message: "no secrets in notes" })
        expect(yield* database.count("notes")).toBe(2998)
        // The next batch is unaffected.
        expect(tags(yield* database.insertBatch(notes, [[5000, "after"]]))).toEqual(["Inserted"])
      })
    )

    it.live("a table with rules is written by INSERT, never COPY (which ignores rules), row by row", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        const notes = table("notes", ["id", "body"])
        yield* database.migrate("Note", [
          migration(
            "CREATE TABLE notes (id bigint PRIMARY KEY, body text); CREATE TABLE notes_log (id bigint); " +
              "CREATE RULE log_notes AS ON INSERT TO notes DO ALSO INSERT INTO notes_log VALUES (NEW.id)"
          )
        ])
        const outcomes = yield* database.insertBatch(notes, [[1, "one"], [2, "two"], [1, "again"]])
        expect(tags(outcomes)).toEqual(["Inserted", "Inserted", "Refused"])
        expect(refusalOf(outcomes[2])).toMatchObject({ kind: "unique", column: "id" })
        expect(yield* database.count("notes_log")).toBe(2)
      })
    )

    it.live("an error that is no row's fault fails the whole batch, and nothing of it lands", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        yield* database.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY, body text)")])
        const error = yield* Effect.flip(database.insertBatch(table("missing", ["id", "body"]), [[1, "x"]]))
        expect(error).toMatchObject({ _tag: "StorageError", operation: "insert" })
        expect(error.reason).toContain("does not exist")
        expect(yield* database.count("notes")).toBe(0)
      })
    )
  })

  describe("conflict modes", () => {
    const items = table("items", ["id", "label"])
    const people = table("people", ["id", "email"])
    const setUp = (database: ShardDatabase) =>
      Effect.gen(function* () {
        yield* database.migrate("Item", [migration("CREATE TABLE items (id bigint PRIMARY KEY, label text NOT NULL); CREATE TABLE people (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)")])
        yield* database.insertBatch(items, [[1, "a"], [2, "b"]])
        yield* database.insertBatch(people, [[1, "a@"]])
      })
    const batch: ReadonlyArray<Row> = [[1, "x"], [3, "c"], [3, "d"], [4, "e"], [2, "y"], [5, "f"]]
    const peopleBatch: ReadonlyArray<Row> = [[2, "a@"], [2, "b@"], [3, "c@"], [4, "c@"]]
    const labels = (database: ShardDatabase) => Effect.map(database.select(items, {}), (rows) => rows.map((row) => `${row["id"]}${row["label"]}`))
    const emails = (database: ShardDatabase) => Effect.map(database.select(people, {}), (rows) => rows.map((row) => `${row["id"]}${row["email"]}`))

    it.live("fail: a taken key, stored before or earlier in the batch, is refused; another unique key too", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        yield* setUp(database)
        const outcomes = yield* database.insertBatch(items, batch, "fail")
        expect(tags(outcomes)).toEqual(["Refused", "Inserted", "Refused", "Inserted", "Refused", "Inserted"])
        for (const index of [0, 2, 4]) expect(refusalOf(outcomes[index])).toMatchObject({ kind: "unique", column: "id", constraint: "items_pkey" })
        expect(yield* labels(database)).toEqual(["1a", "2b", "3c", "4e", "5f"])
        const byEmail = yield* database.insertBatch(people, peopleBatch, "fail")
        expect(tags(byEmail)).toEqual(["Refused", "Inserted", "Inserted", "Refused"])
        expect(refusalOf(byEmail[0])).toMatchObject({ kind: "unique", column: "email", constraint: "people_email_key" })
        expect(refusalOf(byEmail[3])).toMatchObject({ kind: "unique", column: "email" })
        expect(yield* emails(database)).toEqual(["1a@", "2b@", "3c@"])
      })
    )

    it.live("skip: the stored row stays, whichever key is taken, and the first of a key in the batch wins", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        yield* setUp(database)
        expect(tags(yield* database.insertBatch(items, batch, "skip"))).toEqual(["Skipped", "Inserted", "Skipped", "Inserted", "Skipped", "Inserted"])
        expect(yield* labels(database)).toEqual(["1a", "2b", "3c", "4e", "5f"])
        expect(tags(yield* database.insertBatch(people, peopleBatch, "skip"))).toEqual(["Skipped", "Inserted", "Inserted", "Skipped"])
        expect(yield* emails(database)).toEqual(["1a@", "2b@", "3c@"])
        expect(tags(yield* database.insertBatch(people, [[9, "a@"], [10, "z@"]], "skip"))).toEqual(["Skipped", "Inserted"])
      })
    )

    it.live("replace: the row takes the stored one's place by key, the last of a key in the batch wins, another unique key still refuses", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        yield* setUp(database)
        expect(tags(yield* database.insertBatch(items, batch, "replace"))).toEqual(["Replaced", "Inserted", "Replaced", "Inserted", "Replaced", "Inserted"])
        expect(yield* labels(database)).toEqual(["1x", "2y", "3d", "4e", "5f"])
        // Without a key twice: the set-based path.
        expect(tags(yield* database.insertBatch(items, [[1, "one"], [6, "six"]], "replace"))).toEqual(["Replaced", "Inserted"])
        expect(yield* labels(database)).toEqual(["1one", "2y", "3d", "4e", "5f", "6six"])
        const byEmail = yield* database.insertBatch(people, peopleBatch, "replace")
        expect(tags(byEmail)).toEqual(["Refused", "Inserted", "Inserted", "Refused"])
        expect(refusalOf(byEmail[0])).toMatchObject({ kind: "unique", column: "email" })
        expect(yield* emails(database)).toEqual(["1a@", "2b@", "3c@"])
        // A refused replacement leaves the stored row: the earlier row of the key stays.
        const withCheck = yield* database.insertBatch(items, [[7, "seven"], [7, null]], "replace")
        expect(tags(withCheck)).toEqual(["Inserted", "Refused"])
        expect(yield* database.select(items, { key: 7 })).toEqual([{ id: 7, label: "seven" }])
      })
    )
  })

  describe("the writer's lock", () => {
    it.live("a second writer waits, told once who holds it, then fails; readers never wait", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const first = yield* openWriter(url)
        yield* first.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY)")])
        yield* first.insertBatch(table("notes", ["id"]), [[1]])

        const told: Array<string> = []
        const started = Date.now()
        const error = yield* Effect.flip(
          Effect.scoped(
            Effect.flatMap(
              storageOf({ databases: { shard: url }, writer: { waitSeconds: 0.6, onWait: (busy) => Effect.sync(() => told.push(busy)) } }),
              (storage) => storage.database(name("shard"))
            )
          )
        )
        expect(Date.now() - started).toBeGreaterThanOrEqual(550)
        expect(told).toHaveLength(1)
        expect(told[0]).toContain("is being written by another run: PostgreSQL session")
        expect(error).toMatchObject({ _tag: "StorageError", operation: "lock", shard: "shard" })
        expect(error.reason).toContain("gave up after waiting")

        // A reader, meanwhile, reads at once.
        const readStarted = Date.now()
        const count = yield* Effect.scoped(Effect.flatMap(storageOf({ databases: { shard: url } }), (storage) => Effect.flatMap(storage.database(name("shard")), (database) => database.count("notes"))))
        expect(count).toBe(1)
        expect(Date.now() - readStarted).toBeLessThan(2000)

        // The same name in another PostgreSQL database is another lock.
        const elsewhere = yield* withTestDatabase()
        yield* Effect.scoped(openWriter(elsewhere))
      })
    )

    it.live("the next writer gets the lock once the first storage closes; lockAll reports nothing and the database use does", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        yield* Effect.scoped(openWriter(url))
        yield* Effect.scoped(openWriter(url))
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* openWriter(url)
            const second = yield* storageOf({ databases: { shard: url }, writer })
            yield* second.lockAll([name("shard")])
            expect(yield* Effect.flip(second.lock(name("shard")))).toMatchObject({ operation: "lock" })
            expect(yield* Effect.flip(second.database(name("shard")))).toMatchObject({ operation: "lock" })
          })
        )
      })
    )

    it.live("a lock whose session is lost fails every later use of the database", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const database = yield* openWriter(url)
        yield* database.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY)")])
        const terminated = yield* sql<{ done: boolean }>(
          url,
          "SELECT pg_terminate_backend(pid) AS done FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        expect(terminated.map((row) => row.done)).toEqual([true])
        yield* Effect.sleep("200 millis")
        const error = yield* Effect.flip(database.insertBatch(table("notes", ["id"]), [[1]]))
        expect(error).toMatchObject({ operation: "lock" })
        expect(error.reason).toContain("another writer may have taken it")
      })
    )
  })

  describe("connections", () => {
    const secret = "S3cret-Pa55-zq9"
    const leakFree = (error: StorageError) => {
      for (const text of [error.message, error.reason, error.location, inspect(error, { depth: 10 }), JSON.stringify(error)]) expect(text).not.toContain(secret)
    }
    const openError = (url: string, asWriter: boolean) =>
      Effect.flip(Effect.scoped(Effect.flatMap(storageOf({ databases: { shard: url }, ...(asWriter ? { writer } : {}) }), (storage) => storage.database(name("shard")))))

    it.live("a wrong password, a refused connection and a missing database are said plainly, and no message holds the password", () =>
      Effect.gen(function* () {
        const server = pgTestServer() ?? ""
        const wrong = new URL(server)
        wrong.password = secret
        for (const asWriter of [false, true]) {
          const auth = yield* openError(wrong.toString(), asWriter)
          expect(auth.operation).toBe("open")
          expect(auth.reason).toContain("authentication failed")
          leakFree(auth)
          const refused = yield* openError(`postgres://someone:${secret}@127.0.0.1:9/db`, asWriter)
          expect(refused.reason).toContain("not reachable")
          leakFree(refused)
          const missing = yield* openError(databaseUrl(server, "di_no_such_database"), asWriter)
          expect(missing.reason).toContain('database "di_no_such_database" does not exist')
          expect(missing.reason).toContain("createdb")
          expect(missing.location).toBe(redactUrl(databaseUrl(server, "di_no_such_database")))
          expect(missing.message).not.toMatch(/:[^/@]+@/)
        }
        const unclaimedError = yield* Effect.flip(Effect.scoped(Effect.flatMap(storageOf({ databases: { shard: wrong.toString() } }), (storage) => storage.unclaimed([]))))
        leakFree(unclaimedError)
        expect(unclaimedError.reason).toContain("authentication failed")
      })
    )

    it.live("a name without a URL, or one that is PostgreSQL's own schema, is refused saying so; a reader does not write", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const storage = yield* storageOf({ databases: { shard: url, public: url } })
        expect((yield* Effect.flip(storage.database(name("other")))).reason).toContain("no PostgreSQL URL is configured for database other (configured: public, shard)")
        expect((yield* Effect.flip(storage.database(name("public")))).reason).toContain("PostgreSQL's own")
        const database = yield* storage.database(name("shard"))
        expect(database.location).toBe(redactUrl(url))
        expect(database.location).not.toContain(":distributed_insert@")
        expect((yield* Effect.flip(database.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY)")]))).reason).toContain("opened to read")
        expect(storage.workerConfig).toBeUndefined()
      })
    )

    it.live.skipIf(skipWithoutPg("second"))("shards on two servers at once, each in its own place", () =>
      Effect.gen(function* () {
        const first = yield* withTestDatabase("first")
        const second = yield* withTestDatabase("second")
        const storage = yield* storageOf({ databases: { alpha: first, beta: second }, writer })
        const notes = table("notes", ["id", "body"])
        for (const [database, body] of [[name("alpha"), "on the first"], [name("beta"), "on the second"]] as const) {
          const opened = yield* storage.database(database)
          yield* opened.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY, body text)")])
          expect(tags(yield* opened.insertBatch(notes, [[1, body]]))).toEqual(["Inserted"])
        }
        expect((yield* storage.database(name("alpha"))).location).toContain(":5432/")
        expect((yield* storage.database(name("beta"))).location).toContain(":5433/")
        expect(yield* sql(second, "SELECT body FROM beta.notes")).toEqual([{ body: "on the second" }])
        expect(yield* sql(first, "SELECT to_regclass('beta.notes') IS NULL AS absent")).toEqual([{ absent: true }])
        const reader = yield* storageOf({ databases: { alpha: first, beta: second } })
        expect((yield* reader.unclaimed([])).map((database) => [database.name, database.location])).toEqual([
          ["alpha", redactUrl(first)],
          ["beta", redactUrl(second)]
        ])
        expect(yield* reader.unclaimed([name("alpha"), name("beta")])).toEqual([])
        const missing = yield* storageOf({ databases: { gamma: databaseUrl(pgTestServer() ?? "", "di_no_such_database") } })
        expect(yield* missing.unclaimed([])).toEqual([])
      })
    )
  })

  describe("schemas, reset and integrity", () => {
    it.live("reset empties its own schema alone; refused, changing nothing, while another schema's table refers to it", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const storage = yield* storageOf({ databases: { parents: url, children: url }, writer })
        const parents = yield* storage.database(name("parents"))
        const children = yield* storage.database(name("children"))
        yield* parents.migrate("Parent", [migration("CREATE TABLE parents (id bigint PRIMARY KEY)")])
        yield* children.migrate("Child", [migration("CREATE TABLE children (id bigint PRIMARY KEY)")])
        yield* parents.insertBatch(table("parents", ["id"]), [[1]])
        yield* children.insertBatch(table("children", ["id"]), [[1]])
        yield* sql(url, "GRANT USAGE ON SCHEMA parents TO PUBLIC")

        yield* children.reset
        expect(yield* children.appliedMigrations).toEqual([])
        expect(children.exists).toBe(false)
        expect(yield* parents.count("parents")).toBe(1)

        yield* children.migrate("Child", [migration("CREATE TABLE children (id bigint PRIMARY KEY, parent_id bigint REFERENCES parents.parents (id))")])
        const refused = yield* Effect.flip(parents.reset)
        expect(refused.reason).toContain("not reset: objects outside schema parents")
        expect(refused.reason).toContain("constraint children_parent_id_fkey on table children.children")
        expect(yield* parents.count("parents")).toBe(1)
        expect((yield* parents.appliedMigrations).map((entry) => entry.model)).toEqual(["Parent"])

        yield* children.reset
        yield* parents.reset
        expect(yield* sql(url, "SELECT has_schema_privilege('public', 'parents', 'USAGE') AS kept")).toEqual([{ kept: true }])
        expect(yield* parents.migrate("Parent", [migration("CREATE TABLE parents (id bigint PRIMARY KEY)")])).toHaveLength(1)
      })
    )

    it.live("a schema of the name that holds something else is not taken over, and integrity says why", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        yield* sql(url, "CREATE SCHEMA legacy; CREATE TABLE legacy.things (id int); INSERT INTO legacy.things VALUES (1)")
        const database = yield* openWriter(url, "legacy")
        expect(database.exists).toBe(false)
        expect((yield* Effect.flip(database.migrate("Thing", [migration("CREATE TABLE things (id bigint PRIMARY KEY)")]))).reason).toContain(
          "not a shard database this storage made"
        )
        expect(yield* database.integrityProblems).toEqual([expect.stringContaining("holds tables but no migrations ledger")])
        yield* database.reset
        expect(yield* sql(url, "SELECT count(*)::int AS n FROM legacy.things")).toEqual([{ n: 1 }])
        // An empty schema made beforehand is taken.
        yield* sql(url, "CREATE SCHEMA prepared")
        const prepared = yield* openWriter(url, "prepared")
        expect(yield* prepared.migrate("Thing", [migration("CREATE TABLE things (id bigint PRIMARY KEY)")])).toHaveLength(1)
      })
    )

    it.live("integrity: a createTable table changed behind the storage's back, and a NOT VALID constraint", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const database = yield* openWriter(url)
        yield* database.migrate("Rating", [
          {
            version: 1,
            description: "create ratings",
            createTable: {
              table: "ratings",
              columns: [
                { name: "id", type: "integer", notNull: true },
                { name: "title", type: "text", notNull: true }
              ],
              primaryKey: "id"
            }
          }
        ])
        expect(yield* database.integrityProblems).toEqual([])
        yield* sql(url, "ALTER TABLE shard.ratings ALTER COLUMN title DROP NOT NULL; ALTER TABLE shard.ratings ADD CONSTRAINT short CHECK (length(title) < 5) NOT VALID")
        const problems = yield* database.integrityProblems
        expect(problems).toEqual([
          expect.stringContaining("column title takes NULL, but the field never does"),
          expect.stringContaining("constraint short of table ratings is NOT VALID")
        ])
        expect(problems[0]).toContain("made by migration Rating v1")
      })
    )

    it.live("a SQL migration runs its own PostgreSQL DDL where it gives one; SQLite's that PostgreSQL refuses fails saying how", () =>
      Effect.gen(function* () {
        const database = yield* openWriter(yield* withTestDatabase())
        const sqlite = "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)"
        const error = yield* Effect.flip(database.migrate("Note", [migration(sqlite)]))
        expect(error.reason).toContain("dialects.postgres")
        expect(
          yield* database.migrate("Note", [{ version: 1, description: "create notes", sql: sqlite, dialects: { postgres: "CREATE TABLE notes (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body text)" } }])
        ).toHaveLength(1)
        expect(tags(yield* database.insertBatch(table("notes", ["id", "body"]), [[1, "x"]]))).toEqual(["Inserted"])
      })
    )
  })

  describe("workers", () => {
    it.live("a worker opens the same databases from workerConfig and writes without locking; options that do not decode fail", () =>
      Effect.gen(function* () {
        const url = yield* withTestDatabase()
        const storage = yield* storageOf({ databases: { shard: url }, writer })
        const main = yield* storage.database(name("shard"))
        yield* main.migrate("Note", [migration("CREATE TABLE notes (id bigint PRIMARY KEY)")])
        const config = yield* storage.workerConfig ?? Effect.die("a writer has a worker config")
        expect(config).toEqual({ backend: "postgres", options: { databases: { shard: url } } })
        const worker = yield* Effect.map(Layer.build(PgStorage.fromWorkerOptions(structuredClone(config.options))), Context.get(ShardStorage))
        const inWorker = yield* worker.database(name("shard"))
        expect(tags(yield* inWorker.insertBatch(table("notes", ["id"]), [[1], [2]]))).toEqual(["Inserted", "Inserted"])
        expect(yield* main.count("notes")).toBe(2)
        const bad = yield* Effect.flip(Layer.build(PgStorage.fromWorkerOptions({ databases: 42 })))
        expect(bad).toMatchObject({ _tag: "StorageError", operation: "open" })
      })
    )
  })
})
