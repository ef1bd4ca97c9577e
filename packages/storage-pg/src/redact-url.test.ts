import { describe, expect, it } from "@effect/vitest"
import { redactUrl } from "./redact-url.ts"

describe("redactUrl", () => {
  it.each([
    ["postgres://user:secret@h:5432/db", "postgres://user@h:5432/db"],
    ["postgresql://user:secret@h/db?sslmode=require", "postgresql://user@h/db?sslmode=require"],
    ["postgres://user@h:5432/db", "postgres://user@h:5432/db"],
    ["postgres://h/db", "postgres://h/db"],
    ["postgres://user:p%40ss%2Fw@h/db", "postgres://user@h/db"],
    ["postgres://user:p@ss@h/db", "postgres://user@h/db"],
    ["postgres://user@h/db?password=secret", "postgres://user@h/db"],
    ["postgres://user@h/db?sslmode=require&password=secret&application_name=x", "postgres://user@h/db?sslmode=require&application_name=x"],
    ["postgres://user@h/db?PASSWORD=secret", "postgres://user@h/db"],
    ["postgres://user@h/db?sslpassword=secret", "postgres://user@h/db"],
    ["postgres:///db?host=/var/run/postgresql", "postgres:///db?host=/var/run/postgresql"]
  ])("%s -> %s", (url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })

  it.each([
    // Not URLs, or not ones URL parsing takes: cleaned as text.
    ["postgres://user:sec ret@h/db", "secret", "sec ret"],
    ["postgres://user:12/34secret@h/db", "34secret", "12/"],
    ["postgres://user:se#cret@h/db", "cret", "se#"],
    ["host=h user=u password=secret dbname=db", "secret", "password"],
    ["host=h password='sec ret' dbname=db", "sec ret", "password"],
    ["postgres://user:secret@[::1/db", "secret", ":secret"],
    ["not a url at all, password=secret", "secret", "password"]
  ])("%s loses its password", (input, secret, fragment) => {
    const redacted = redactUrl(input)
    expect(redacted).not.toContain(secret)
    expect(redacted).not.toContain(fragment)
  })

  it("keeps the user, host, port, database and other parameters", () => {
    expect(redactUrl("postgres://ann:x@db.example.com:6543/shop?application_name=a&sslmode=verify-full")).toBe(
      "postgres://ann@db.example.com:6543/shop?application_name=a&sslmode=verify-full"
    )
  })
})
