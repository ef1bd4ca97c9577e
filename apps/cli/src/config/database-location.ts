import { resolve } from "node:path"
import { Result } from "effect"

/** The engine a database is kept by: a SQLite file (through sql.js), or a PostgreSQL server. */
export type Engine = "sqlite" | "postgres"

/** Where a database is: a SQLite file, or a database on a PostgreSQL server. */
export type DatabaseLocation =
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Postgres"; readonly url: string }

export const engineOf = (location: DatabaseLocation): Engine => (location._tag === "File" ? "sqlite" : "postgres")

/** A location as the storage names it (`ShardDatabase.location`), for comparing and showing. */
export const locationText = (location: DatabaseLocation): string => (location._tag === "File" ? location.path : location.url)

/** `postgres://` or `postgresql://`, in any case, as libpq takes them. */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i

/** Any `scheme://`: a location that is meant as a URL, not a file path. */
const ANY_URL = /^[a-z][a-z0-9+.-]*:\/\//i

/** Whether `text` is written as a URL (a server's address) rather than a file path. */
export const isUrl = (text: string): boolean => ANY_URL.test(text)

/**
 * The location `text` says, for a configuration file or `--database`: a `postgres://` or
 * `postgresql://` URL is a PostgreSQL database, kept as written (its password, if any, is the
 * storage's to use and never shown); anything else is a SQLite file, whose path is taken relative
 * to `relativeTo` (absolute as it is). Another `scheme://` is refused rather than taken for an odd
 * file name. The reason of a refusal never quotes the text: a URL that does not parse may hold a
 * password that cannot be told apart from the rest.
 */
export const parseLocation = (text: string, relativeTo: string): Result.Result<DatabaseLocation, string> => {
  if (text.trim() === "") return Result.fail("a location cannot be empty: give a file path or a postgres:// URL")
  if (POSTGRES_URL.test(text)) {
    return URL.canParse(text)
      ? Result.succeed({ _tag: "Postgres", url: text })
      : Result.fail(
          "not a valid PostgreSQL URL: write it postgres://user@host:port/dbname, with any special character of the password " +
            "percent-encoded (%2F for /, %40 for @, %3F for ?, %23 for #)"
        )
  }
  const scheme = ANY_URL.exec(text)
  if (scheme !== null) {
    return Result.fail(`${scheme[0]} is not a kind of location this program knows: give a file path (a SQLite file) or a postgres:// URL`)
  }
  return Result.succeed({ _tag: "File", path: resolve(relativeTo, text) })
}
