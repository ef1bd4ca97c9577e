import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { engineOf, parseLocation } from "./database-location.ts"

describe("parseLocation", () => {
  it("a postgres:// or postgresql:// URL is a PostgreSQL database, kept as written", () => {
    for (const url of ["postgres://app:secret@db1:5432/shop", "postgresql://app@db2/shop?sslmode=require", "PostgreSQL:///shop"]) {
      const parsed = parseLocation(url, "/work")
      expect(parsed).toEqual(Result.succeed({ _tag: "Postgres", url }))
      if (Result.isSuccess(parsed)) expect(engineOf(parsed.success)).toBe("postgres")
    }
  })

  it("anything else is a SQLite file, relative to the folder given unless absolute", () => {
    expect(parseLocation("archive/users.db", "/work/conf")).toEqual(Result.succeed({ _tag: "File", path: "/work/conf/archive/users.db" }))
    expect(parseLocation("../users.db", "/work/conf")).toEqual(Result.succeed({ _tag: "File", path: "/work/users.db" }))
    expect(parseLocation("/srv/users.db", "/work/conf")).toEqual(Result.succeed({ _tag: "File", path: "/srv/users.db" }))
    expect(parseLocation("users db:1.sqlite", "/w")).toEqual(Result.succeed({ _tag: "File", path: "/w/users db:1.sqlite" }))
  })

  it("refuses an empty location, another scheme, and a PostgreSQL URL that does not parse, without quoting it", () => {
    expect(parseLocation(" ", "/w")).toEqual(Result.fail("a location cannot be empty: give a file path or a postgres:// URL"))
    expect(parseLocation("mysql://u:secret@h/db", "/w")).toEqual(
      Result.fail("mysql:// is not a kind of location this program knows: give a file path (a SQLite file) or a postgres:// URL")
    )
    const bad = parseLocation("postgres://u:se/cret@h/db", "/w")
    expect(Result.isFailure(bad)).toBe(true)
    if (Result.isFailure(bad)) {
      expect(bad.failure).toMatch(/^not a valid PostgreSQL URL/)
      expect(bad.failure).not.toContain("cret")
    }
  })
})
