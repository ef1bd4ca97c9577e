import { describe, expect, it } from "vitest"
import { redactSecrets } from "./redact.ts"

describe("redactSecrets", () => {
  it.each([
    ["postgres://user:secret@h/db", "postgres://user@h/db"],
    ["postgresql://app:s3cr3t@db1.example.com:5432/shop", "postgresql://app@db1.example.com:5432/shop"],
    ["POSTGRES://app:x@h/db", "POSTGRES://app@h/db"],
    // An unencoded @ in the password: the host is after the last one, as URL parsers read it.
    ["postgres://app:p@ss@h:5432/db", "postgres://app@h:5432/db"],
    ["postgres://app:%2Fpw@h/db", "postgres://app@h/db"],
    ["postgres://:secret@h/db", "postgres://@h/db"],
    ["postgres://app@h/db", "postgres://app@h/db"],
    ["postgres://h:5432/db", "postgres://h:5432/db"],
    ["postgres://app@h/db?sslmode=require&password=secret", "postgres://app@h/db?sslmode=require&password=***"],
    ["postgres://h/db?password=secret&sslmode=require", "postgres://h/db?password=***&sslmode=require"],
    // In a message, every URL of it.
    [
      "open failed for shard users (postgres://u:secret@h/x): could not reach postgres://v:other@k/y",
      "open failed for shard users (postgres://u@h/x): could not reach postgres://v@k/y"
    ],
    ["data/users.db", "data/users.db"],
    ["time 12:30@home", "time 12:30@home"]
  ])("%s → %s", (text, shown) => {
    expect(redactSecrets(text)).toBe(shown)
  })
})
