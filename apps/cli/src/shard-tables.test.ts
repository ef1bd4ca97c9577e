import { sqliteMigrationSql } from "@distributed-insert/storage-sqljs"
import { migratedTableProblems } from "@distributed-insert/storage-sqljs/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { shards } from "./plugins.ts"

// Every registered shard's table, made by its migrations as `populate` makes it, agrees with its
// record: what holds hand-written DDL to the Schema (a derived table agrees by construction).
// In-process and without the built CLI: each shard's migrations run in an in-memory database.
describe("the registered shards' tables", () => {
  it("lists the seed's three shards first, in the seed's order", () => {
    expect(shards.slice(0, 3).map((shard) => shard.name)).toEqual(["users", "products", "orders"])
  })

  for (const shard of shards) {
    it.effect(`${shard.name}: its migrations make the table its record declares`, () =>
      Effect.gen(function* () {
        expect(yield* migratedTableProblems(shard)).toEqual([])
      })
    )
  }

  // The seed's shards derive their tables: these are its hand-written DDL, which the files the
  // seed's data was loaded into have, and which derived tables must keep.
  it.each([
    ["users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)"],
    ["products", "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)"],
    ["orders", "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL)"]
  ])("%s: creates the seed's own table, word for word", (name, seedSql) => {
    const [create] = shards.find((shard) => shard.name === name)?.migrations ?? []
    expect(create === undefined ? undefined : sqliteMigrationSql(create)).toBe(seedSql)
  })
})
