import { defineShard, type Migration, type TableDefinition } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { SQLITE_KEYWORDS, sqliteCreateTable, sqliteIdentifier, sqliteMigrationSql } from "./sqlite-ddl.ts"
import { affinityOf, migratedTableProblems } from "./testing.ts"

const int = (name: string, notNull = true) => ({ name, type: "integer", notNull }) as const
const text = (name: string, notNull = true) => ({ name, type: "text", notNull }) as const
const real = (name: string, notNull = true) => ({ name, type: "real", notNull }) as const

describe("sqliteCreateTable", () => {
  it.each<[string, TableDefinition, string]>([
    [
      "users",
      { table: "users", columns: [int("id"), text("name"), text("email")], primaryKey: "id" },
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)"
    ],
    [
      "products",
      { table: "products", columns: [int("id"), text("name"), real("price")], primaryKey: "id" },
      "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)"
    ],
    [
      "orders",
      { table: "orders", columns: [int("id"), int("user_id"), int("product_id"), int("quantity")], primaryKey: "id" },
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL)"
    ]
  ])("writes the seed's %s table as the seed's hand-written DDL did, word for word", (_shard, definition, seedSql) => {
    expect(sqliteCreateTable(definition)).toBe(seedSql)
  })

  it("says NOT NULL for a key that is no rowid, and leaves it out of nullable columns", () => {
    expect(sqliteCreateTable({ table: "codes", columns: [text("code"), int("uses", false), real("ratio", false)], primaryKey: "code" })).toBe(
      "CREATE TABLE codes (code TEXT NOT NULL PRIMARY KEY, uses INTEGER, ratio REAL)"
    )
  })

  it("quotes keywords, in any case, and names that are no plain word; leaves plain ones bare", () => {
    expect(sqliteIdentifier("order")).toBe('"order"')
    expect(sqliteIdentifier("Select")).toBe('"Select"')
    expect(sqliteIdentifier("two words")).toBe('"two words"')
    expect(sqliteIdentifier('say "hi"')).toBe('"say ""hi"""')
    expect(sqliteIdentifier("1st")).toBe('"1st"')
    expect(sqliteIdentifier("order_lines")).toBe("order_lines")
    expect(sqliteIdentifier("_private2")).toBe("_private2")
  })

  it("knows SQLite's 147 keywords", () => {
    expect(SQLITE_KEYWORDS.size).toBe(147)
    for (const keyword of ["ORDER", "GROUP", "KEY", "ROWS", "WITHOUT", "CURRENT_TIMESTAMP"]) expect(SQLITE_KEYWORDS).toContain(keyword)
  })

  it("runs a migration's own SQL as it is", () => {
    const migration: Migration = { version: 2, description: "index", sql: "CREATE INDEX users_email ON users (email)" }
    expect(sqliteMigrationSql(migration)).toBe(migration.sql)
  })
})

describe("affinityOf", () => {
  it.each([
    ["INTEGER", "INTEGER"],
    ["BIGINT", "INTEGER"],
    ["int8", "INTEGER"],
    ["TEXT", "TEXT"],
    ["varchar(20)", "TEXT"],
    ["CLOB", "TEXT"],
    ["REAL", "REAL"],
    ["DOUBLE PRECISION", "REAL"],
    ["FLOAT", "REAL"],
    ["BLOB", "BLOB"],
    ["", "BLOB"],
    ["NUMERIC", "NUMERIC"],
    ["DECIMAL(10,2)", "NUMERIC"],
    // SQLite's rules, in their order: "INT" wins, even inside another word.
    ["POINT", "INTEGER"]
  ])("gives %j the affinity %s", (declared, affinity) => {
    expect(affinityOf(declared)).toBe(affinity)
  })
})

/** A `reviews` shard whose record is fixed and whose migrations are the test's. */
const reviews = (migrations?: ReadonlyArray<Migration>) =>
  defineShard({
    name: "reviews",
    model: "Review",
    table: "reviews",
    record: Schema.Struct({ id: Schema.Int, product_id: Schema.Int, stars: Schema.Int, comment: Schema.NullOr(Schema.String), weight: Schema.Finite }),
    primaryKey: "id",
    rules: () => [],
    ...(migrations === undefined ? {} : { migrations }),
    sample: []
  })

const create = (sql: string): ReadonlyArray<Migration> => [{ version: 1, description: "create reviews", sql }]

describe("migratedTableProblems", () => {
  it.effect("finds nothing wrong with the table derived from the record", () =>
    Effect.gen(function* () {
      expect(yield* migratedTableProblems(reviews())).toEqual([])
    })
  )

  it.effect("finds nothing wrong with hand-written DDL that agrees: other spellings of the types, constraints, a column inserts may leave out", () =>
    Effect.gen(function* () {
      const shard = reviews([
        ...create(
          "CREATE TABLE reviews (id INTEGER PRIMARY KEY, product_id BIGINT NOT NULL REFERENCES products (id), stars INT NOT NULL CHECK (stars BETWEEN 1 AND 5), " +
            "comment VARCHAR(500), weight DOUBLE PRECISION NOT NULL, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, audited INTEGER)"
        ),
        { version: 2, description: "index stars", sql: "CREATE INDEX reviews_stars ON reviews (stars)" }
      ])
      expect(yield* migratedTableProblems(shard)).toEqual([])
    })
  )

  it.effect("fails a table that disagrees with the record, saying each way it does", () =>
    Effect.gen(function* () {
      // Deliberately wrong: stars as text and first, product_id nullable, comment NOT NULL,
      // weight of NUMERIC affinity, a NOT NULL column the record cannot fill.
      const shard = reviews(
        create(
          "CREATE TABLE reviews (stars TEXT NOT NULL, id INTEGER PRIMARY KEY, product_id INTEGER, comment TEXT NOT NULL, weight DECIMAL(10, 2) NOT NULL, owner TEXT NOT NULL)"
        )
      )
      expect(yield* migratedTableProblems(shard)).toEqual([
        "column product_id takes NULL, but the field never does: declare it NOT NULL",
        'column stars is declared "TEXT", of affinity TEXT; the field is integer, which needs affinity INTEGER',
        "column comment is NOT NULL, but the field takes null (Schema.NullOr): the database would refuse those records",
        'column weight is declared "DECIMAL(10, 2)", of affinity NUMERIC; the field is real, which needs affinity REAL',
        "the columns are in the order stars, id, product_id, comment, weight, the record's fields in the order id, product_id, stars, comment, weight",
        "column owner is NOT NULL without a default, and the record has no field owner: every insert would fail"
      ])
    })
  )

  it.effect("fails a missing column, a key of other columns, a table of another name, migrations that fail", () =>
    Effect.gen(function* () {
      expect(
        yield* migratedTableProblems(
          reviews(create("CREATE TABLE reviews (id INTEGER NOT NULL, product_id INTEGER NOT NULL, stars INTEGER NOT NULL, weight REAL NOT NULL, PRIMARY KEY (id, product_id))"))
        )
      ).toEqual(["column comment is missing: the record's field comment has no column", "the primary key is (id, product_id); the shard's key is id"])
      expect(yield* migratedTableProblems(reviews(create("CREATE TABLE review (id INTEGER PRIMARY KEY)")))).toEqual([
        "table reviews does not exist after the migrations"
      ])
      const [failure] = yield* migratedTableProblems(reviews(create("CREATE TABLE reviews (")))
      expect(failure).toMatch(/^its migrations fail: migration Review v1 \(create reviews\): /)
    })
  )

  it.effect("says so when the record's table cannot be derived at all", () =>
    Effect.gen(function* () {
      const record: Schema.Codec<{ readonly id: number }, unknown> = Schema.Struct({ id: Schema.Int, done: Schema.Boolean })
      const shard = defineShard({ name: "flags", model: "Flag", table: "flags", record, primaryKey: "id", rules: () => [], migrations: [], sample: [] })
      const [problem] = yield* migratedTableProblems(shard)
      expect(problem).toMatch(/^its table cannot be derived from its record: field done has no column type/)
    })
  )
})
