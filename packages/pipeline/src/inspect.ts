import type { SqlValue } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { Effect } from "effect"
import { RecordNotFoundError } from "./errors.ts"
import { ShardRegistry } from "./registry.ts"
import { Router } from "./router.ts"
import { selectShards } from "./select-shards.ts"

export interface ShardStatus {
  readonly shard: string
  readonly model: string
  /** The database the router reads this model from. */
  readonly database: string
  readonly location: string
  readonly exists: boolean
  readonly rows: number
  /** Highest applied migration of the model there; 0 when none. */
  readonly schemaVersion: number
  /** Highest migration the plugin declares; above `schemaVersion` means `migrate` has work. */
  readonly latestVersion: number
}

/** Where each selected shard's model lives and how far it is. Reads only: nothing is created or written. */
export const describeShards = (selection?: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const router = yield* Router
    const storage = yield* ShardStorage
    const shards = yield* selectShards(selection)
    return yield* Effect.forEach(shards, (shard) =>
      Effect.gen(function* () {
        const database = yield* storage.database(yield* router.dbForRead(shard.model))
        const applied = (yield* database.appliedMigrations).filter((entry) => entry.model === shard.model)
        const schemaVersion = Math.max(0, ...applied.map((entry) => entry.version))
        const status: ShardStatus = {
          shard: shard.name,
          model: shard.model,
          database: database.name,
          location: database.location,
          exists: database.exists,
          rows: schemaVersion === 0 ? 0 : yield* database.count(shard.table),
          schemaVersion,
          latestVersion: shard.migrations.length
        }
        return status
      })
    )
  })

export interface RecordPage {
  readonly model: string
  readonly database: string
  readonly location: string
  readonly rows: ReadonlyArray<Readonly<Record<string, SqlValue>>>
}

/** A model's rows in primary-key order, read from the database the router picks for reads. */
export const listRecords = (model: string, options: { readonly limit?: number } = {}) =>
  Effect.gen(function* () {
    const { shard, database } = yield* readTarget(model)
    const rows = yield* database.select(shard, options.limit === undefined ? {} : { limit: options.limit })
    const page: RecordPage = { model: shard.model, database: database.name, location: database.location, rows }
    return page
  })

/** One row by primary key. `id` is given as typed; SQLite's column affinity compares it as the key's type. */
export const getRecord = (model: string, id: string) =>
  Effect.gen(function* () {
    const { shard, database } = yield* readTarget(model)
    const [row] = yield* database.select(shard, { key: id, limit: 1 })
    if (row === undefined) return yield* new RecordNotFoundError({ model: shard.model, id, shard: database.name })
    return row
  })

const readTarget = (model: string) =>
  Effect.gen(function* () {
    const registry = yield* ShardRegistry
    const router = yield* Router
    const storage = yield* ShardStorage
    const shard = yield* registry.lookup(model)
    const database = yield* storage.database(yield* router.dbForRead(shard.model))
    return { shard, database }
  })
