/**
 * Shared setup for the pipeline's tests: temp data directories, the layer the CLI builds, a storage
 * decorator that records calls, fixture shards and a reader of SQLite files that does not go
 * through the storage under test. Not part of the public API (not exported from mod.ts).
 */
import { defineShard, type Shard } from "@distributed-insert/shard"
import { type ShardDatabase, ShardStorage } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { Context, Effect, Layer, Schema } from "effect"
import type { ShardRegistryError } from "./errors.ts"
import { ShardRegistry } from "./registry.ts"
import { type DatabaseRouter, Router } from "./router.ts"

export { tempDir } from "@distributed-insert/files/testing"
export { queryFile } from "@distributed-insert/storage-sqljs/testing"

/** Router, registry and storage as the CLI wires them; sql.js storage in `dataDir` unless `storage` is given. */
export const testLayer = (
  shards: ReadonlyArray<Shard>,
  dataDir: string,
  options: { readonly routers?: ReadonlyArray<DatabaseRouter>; readonly storage?: Layer.Layer<ShardStorage> } = {}
): Layer.Layer<Router | ShardRegistry | ShardStorage, ShardRegistryError> =>
  Router.layer(options.routers).pipe(
    Layer.provideMerge(ShardRegistry.layer(shards)),
    Layer.provideMerge(options.storage ?? SqlJsStorage.layer({ dataDir }))
  )

/** The sql.js storage service in `dataDir`, open until the current scope closes. */
export const storageIn = (dataDir: string) =>
  Effect.map(Layer.build(SqlJsStorage.layer({ dataDir })), (context) => Context.get(context, ShardStorage))

export interface StorageCall {
  readonly database: string
  readonly operation: "insertBatch" | "persist"
}

/** The real sql.js storage in `dataDir`, appending each `insertBatch` and `persist` call to `calls` before running it. */
export const recordingStorage = (dataDir: string, calls: Array<StorageCall>): Layer.Layer<ShardStorage> =>
  Layer.effect(
    ShardStorage,
    Effect.gen(function* () {
      const storage = yield* ShardStorage
      return ShardStorage.of({
        database: (name) => Effect.map(storage.database(name), (database) => recording(database, calls)),
        lock: storage.lock,
        lockAll: storage.lockAll,
        workerConfig: storage.workerConfig,
        fileRole: storage.fileRole,
        unclaimed: storage.unclaimed
      })
    })
  ).pipe(Layer.provide(SqlJsStorage.layer({ dataDir })))

const recording = (database: ShardDatabase, calls: Array<StorageCall>): ShardDatabase => {
  const record = (operation: StorageCall["operation"]) => Effect.sync(() => calls.push({ database: database.name, operation }))
  return {
    name: database.name,
    location: database.location,
    get exists() {
      return database.exists
    },
    durability: database.durability,
    textRules: database.textRules,
    appliedMigrations: database.appliedMigrations,
    migrate: database.migrate,
    insertBatch: (target, rows, onConflict) => Effect.andThen(record("insertBatch"), database.insertBatch(target, rows, onConflict)),
    count: database.count,
    select: database.select,
    integrityProblems: database.integrityProblems,
    reset: database.reset,
    persist: Effect.andThen(record("persist"), database.persist)
  }
}

/**
 * A shard whose schema lets through what only the database refuses: a null `body` (NOT NULL)
 * and more than five `stars` (CHECK). Its one rule refuses negative stars. Model `Alpha` for
 * name `alpha`; the table is the name.
 */
export const noteShard = (name: string) =>
  defineShard({
    name,
    model: name.charAt(0).toUpperCase() + name.slice(1),
    table: name,
    record: Schema.Struct({ id: Schema.Int, body: Schema.NullOr(Schema.String), stars: Schema.Int }),
    primaryKey: "id",
    rules: (rule) => [
      rule({ name: "stars-not-negative", message: "Stars cannot be negative", fields: ["stars"], holds: (stars) => stars >= 0 })
    ],
    migrations: [
      {
        version: 1,
        description: `create ${name}`,
        sql: `CREATE TABLE ${name} (id INTEGER PRIMARY KEY, body TEXT NOT NULL, stars INTEGER NOT NULL CONSTRAINT at_most_five CHECK (stars <= 5))`
      }
    ],
    // Two valid notes around an invalid one.
    sample: [
      { id: 1, body: `${name} one`, stars: 5 },
      { id: 2, body: `${name} two`, stars: -1 },
      { id: 3, body: `${name} three`, stars: 0 }
    ]
  })

