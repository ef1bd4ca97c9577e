import type { AppliedMigration, Shard } from "@distributed-insert/shard"
import { type ShardDatabase, ShardStorage, type StorageError } from "@distributed-insert/storage"
import { Effect, Result } from "effect"
import { Router } from "./router.ts"
import { selectShards } from "./select-shards.ts"

/** One shard's health, as `check` reports it. */
export interface ShardCheck {
  readonly shard: string
  readonly model: string
  /** The database the router reads this model from; null when the model cannot be routed. */
  readonly database: string | null
  readonly location: string | null
  readonly exists: boolean
  /**
   * `ok`, or what the integrity check found; a file that cannot be opened at all says why. A
   * missing file is `ok`: the empty database that stands for it has nothing wrong with it.
   */
  readonly integrity: "ok" | ReadonlyArray<string>
  /** Highest applied migration of the model; null when the file could not be read. */
  readonly schemaVersion: number | null
  /** Highest migration the plugin declares. */
  readonly latestVersion: number
  /** `up to date`, `behind by N`, `ahead (unknown version N)`, or `unknown` when unreadable. */
  readonly schema: string
  readonly status: "ok" | "problem"
  /** Everything wrong, one sentence each; empty exactly when `status` is `ok`. */
  readonly problems: ReadonlyArray<string>
}

/**
 * Checks each selected shard's database (all by default): that it exists and opens, its engine's
 * integrity check (SQLite's on a file; on PostgreSQL, that its tables are those its migrations
 * made), and that its applied migrations are those the plugin declares. Reads only,
 * through the router's `dbForRead`: it never creates or writes a file. A shard that cannot be
 * opened or read is a result with its problem, and the others are still checked.
 */
export const checkShards = (selection?: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const shards = yield* selectShards(selection)
    return yield* Effect.forEach(shards, checkShard, { concurrency: "unbounded" })
  })

const checkShard = (shard: Shard) =>
  Effect.gen(function* () {
    const router = yield* Router
    const storage = yield* ShardStorage
    const routed = yield* Effect.result(router.dbForRead(shard.model))
    if (Result.isFailure(routed)) {
      return unreadable(shard, { database: null, location: null, exists: false }, routed.failure.message)
    }
    const opened = yield* Effect.result(storage.database(routed.success))
    if (Result.isFailure(opened)) {
      // Only a file that is there can fail to open: a missing one opens as an empty database.
      return unreadable(shard, { database: routed.success, location: opened.failure.location, exists: true }, `cannot open: ${opened.failure.reason}`)
    }
    const database = opened.success
    const integrity = yield* integrityOf(database)
    const ledger = yield* Effect.result(database.appliedMigrations)
    const schema = Result.map(ledger, (entries) => schemaOf(shard, entries))

    const problems = [
      ...(database.exists ? [] : ["the database does not exist yet (no file, or no schema on its PostgreSQL server): migrate or populate creates it"]),
      ...(integrity === "ok" ? [] : integrity.map((problem) => `integrity: ${problem}`)),
      ...Result.match(schema, {
        onFailure: (error) => [`cannot read the applied migrations: ${error.reason}`],
        onSuccess: ({ problem }) => (database.exists && problem !== undefined ? [problem] : [])
      })
    ]
    const result: ShardCheck = {
      shard: shard.name,
      model: shard.model,
      database: database.name,
      location: database.location,
      exists: database.exists,
      integrity,
      schemaVersion: Result.match(schema, { onFailure: () => null, onSuccess: ({ version }) => version }),
      latestVersion: shard.migrations.length,
      schema: Result.match(schema, { onFailure: () => "unknown", onSuccess: ({ state }) => state }),
      status: problems.length === 0 ? "ok" : "problem",
      problems
    }
    return result
  })

const unreadable = (shard: Shard, where: Pick<ShardCheck, "database" | "location" | "exists">, problem: string): ShardCheck => ({
  shard: shard.name,
  model: shard.model,
  ...where,
  integrity: [problem],
  schemaVersion: null,
  latestVersion: shard.migrations.length,
  schema: "unknown",
  status: "problem",
  problems: [problem]
})

/** A failing integrity check is itself the finding: SQLite gives up on some corrupt files. */
const integrityOf = (database: ShardDatabase): Effect.Effect<"ok" | ReadonlyArray<string>> =>
  database.integrityProblems.pipe(
    Effect.map((problems) => (problems.length === 0 ? "ok" : problems)),
    Effect.catchTag("StorageError", (error: StorageError) => Effect.succeed([error.reason]))
  )

/**
 * Where the model's applied migrations stand against those the plugin declares: versions it
 * does not declare mean a newer plugin migrated the file; declared ones not applied are pending.
 */
const schemaOf = (shard: Shard, ledger: ReadonlyArray<AppliedMigration>) => {
  const applied = ledger.filter((entry) => entry.model === shard.model).map((entry) => entry.version)
  const declared = new Set(shard.migrations.map((migration) => migration.version))
  const unknown = applied.filter((version) => !declared.has(version))
  const pending = shard.migrations.filter((migration) => !applied.includes(migration.version)).length
  const version = Math.max(0, ...applied)
  if (unknown.length > 0) {
    const state = `ahead (unknown version ${Math.max(...unknown)})`
    return { version, state, problem: `schema ${state}: a newer ${shard.model} plugin migrated this file` }
  }
  if (pending > 0) return { version, state: `behind by ${pending}`, problem: `schema behind by ${pending}: run migrate` }
  return { version, state: "up to date", problem: undefined }
}
