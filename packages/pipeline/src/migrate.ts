import { type ShardDatabase, ShardStorage, type StorageError } from "@distributed-insert/storage"
import { Effect } from "effect"
import { ShardRegistry } from "./registry.ts"
import { Router } from "./router.ts"
import { selectShards } from "./select-shards.ts"

export interface AppliedStep {
  readonly model: string
  readonly version: number
  readonly description: string
}

/** Applies, in `database`, the pending migrations of every model the router allows there. */
export const migrateDatabase = (
  database: ShardDatabase
): Effect.Effect<ReadonlyArray<AppliedStep>, StorageError, ShardRegistry | Router> =>
  Effect.gen(function* () {
    const registry = yield* ShardRegistry
    const router = yield* Router
    const applied: Array<AppliedStep> = []
    for (const shard of registry.shards) {
      if (!router.allowMigrate(database.name, shard.model)) continue
      const ran = yield* database.migrate(shard.model, shard.migrations)
      for (const { version, description } of ran) applied.push({ model: shard.model, version, description })
    }
    return applied
  })

export interface MigrationResult {
  readonly database: string
  readonly location: string | null
  readonly applied: ReadonlyArray<AppliedStep>
  readonly error: StorageError | null
}

/**
 * Migrates the selected shard databases (all by default) concurrently and writes back those
 * that changed. One database failing does not stop the others.
 */
export const migrate = (selection?: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const storage = yield* ShardStorage
    const shards = yield* selectShards(selection)
    yield* (yield* ShardStorage).lockAll(shards.map((shard) => shard.name))
    return yield* Effect.forEach(
      shards,
      (shard) =>
        Effect.gen(function* () {
          const database = yield* storage.database(shard.name)
          const applied = yield* migrateDatabase(database)
          if (applied.length > 0) yield* database.persist
          return { database: shard.name, location: database.location, applied, error: null }
        }).pipe(
          Effect.catchTag("StorageError", (error) =>
            Effect.succeed<MigrationResult>({ database: shard.name, location: error.location, applied: [], error })
          )
        ),
      { concurrency: "unbounded" }
    )
  })
