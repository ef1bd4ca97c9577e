import { describe, expect, it } from "@effect/vitest"
import { postgresCreateTable, postgresIdentifier, postgresMigrationSql } from "./postgres-ddl.ts"
import { pgRefusal, refusalKind } from "./pg-refusal.ts"

describe("PostgreSQL DDL of a createTable", () => {
  it("writes integer as bigint, real as double precision, text as text, NOT NULL and the primary key", () => {
    expect(
      postgresCreateTable({
        table: "users",
        columns: [
          { name: "id", type: "integer", notNull: true },
          { name: "name", type: "text", notNull: true },
          { name: "score", type: "real", notNull: false }
        ],
        primaryKey: "id"
      })
    ).toBe("CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, score double precision)")
  })

  it("quotes keywords, upper case and anything but a plain word", () => {
    expect(postgresIdentifier("order")).toBe('"order"')
    expect(postgresIdentifier("Name")).toBe('"Name"')
    expect(postgresIdentifier("two words")).toBe('"two words"')
    expect(postgresIdentifier('say "hi"')).toBe('"say ""hi"""')
    expect(postgresIdentifier("user_id")).toBe("user_id")
    expect(postgresIdentifier("name")).toBe("name")
  })

  it("runs a migration's own PostgreSQL SQL where it gives one, else its SQL as written", () => {
    expect(postgresMigrationSql({ version: 1, description: "x", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)" })).toBe("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    expect(
      postgresMigrationSql({ version: 1, description: "x", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)", dialects: { postgres: "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)" } })
    ).toBe("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)")
  })
})

describe("refusals by SQLSTATE", () => {
  it("classifies by the code alone", () => {
    expect(["23505", "23502", "23514", "23503", "23P01", "22003", "P0001"].map(refusalKind)).toEqual([
      "unique",
      "not-null",
      "check",
      "foreign-key",
      "other",
      "other",
      "other"
    ])
  })

  it("names the error's column, else the constraint's only column, and keeps the message verbatim", () => {
    const message = 'duplicate key value violates unique constraint "users_pkey"'
    expect(pgRefusal({ code: "23505", message, constraint: "users_pkey" }, ["id"])).toEqual({ kind: "unique", column: "id", constraint: "users_pkey", message })
    expect(pgRefusal({ code: "23505", message, constraint: "team_seat" }, ["team", "seat"]).column).toBeNull()
    expect(pgRefusal({ code: "23502", message: "null value", column: "name" }, undefined)).toMatchObject({ kind: "not-null", column: "name", constraint: null })
  })
})
