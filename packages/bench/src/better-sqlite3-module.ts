import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import type Database from "better-sqlite3"
import { Schema } from "effect"

export type BetterSqlite3 = typeof Database

/** better-sqlite3, loaded and proven to work (its native addon loads on first use), with its versions. */
export interface LoadedBetterSqlite3 {
  readonly Database: BetterSqlite3
  readonly version: string
  readonly sqliteVersion: string
}

const PackageJson = Schema.fromJsonString(Schema.Struct({ version: Schema.String }))

/**
 * better-sqlite3 is an optional dependency (a native build that may fail on some machines);
 * the benchmark needs it for its baseline and to count the rows every contestant wrote.
 */
export const loadBetterSqlite3 = async (): Promise<LoadedBetterSqlite3> => {
  try {
    const { default: Database } = await import("better-sqlite3")
    const packageJson = await readFile(createRequire(import.meta.url).resolve("better-sqlite3/package.json"), "utf8")
    const memory = new Database(":memory:")
    try {
      const sqliteVersion: unknown = memory.prepare("SELECT sqlite_version()").pluck().get()
      return { Database, version: Schema.decodeUnknownSync(PackageJson)(packageJson).version, sqliteVersion: String(sqliteVersion) }
    } finally {
      memory.close()
    }
  } catch (error) {
    throw new Error(
      "better-sqlite3 cannot be loaded; the benchmark needs it (an optional dependency of @distributed-insert/bench: try `pnpm install`, or after a change of Node version `pnpm -r rebuild better-sqlite3`)",
      { cause: error }
    )
  }
}
