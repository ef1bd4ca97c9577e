import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { ShardName } from "@distributed-insert/shard"
import { ShardStorage, StorageByDatabase, StorageError, type StorageWorkerConfig } from "@distributed-insert/storage"
import { notesModel as notes, storageConformance } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { SqlJsStorage } from "./sqljs-storage.ts"
import { queryFile } from "./testing.ts"

// A storage by database whose parts are sql.js storages on real files, in two data directories.

const writer = { waitSeconds: 0 }
const conformance = ShardName.make("conformance")
const conformanceOthers = [ShardName.make("conformance-other"), ShardName.make("conformance-third")]

storageConformance("by-database over sql.js", {
  open: (dir, use) =>
    StorageByDatabase.layer([
      { names: [conformance], storage: SqlJsStorage.layer(use === "read" ? { dataDir: join(dir, "a") } : { dataDir: join(dir, "a"), writer }) },
      { names: conformanceOthers, storage: SqlJsStorage.layer(use === "read" ? { dataDir: join(dir, "b") } : { dataDir: join(dir, "b"), writer }) }
    ]),
  newPlace: tempDir,
  runsMigrationSql: true
})

const users = ShardName.make("users")
const products = ShardName.make("products")
const orders = ShardName.make("orders")

const entries = (dir: string) => Effect.promise(() => readdir(dir).catch(() => []))

/** users in `<dir>/a`, products and orders in `<dir>/b`, orders at a file of its own in `<dir>/c`. */
const partsIn = (dir: string, use: "read" | "write") => {
  const asUsed = (dataDir: string, files?: Record<string, string>) => ({ dataDir, ...(files === undefined ? {} : { files }), ...(use === "write" ? { writer } : {}) })
  return [
    { names: [users], storage: SqlJsStorage.layer(asUsed(join(dir, "a"))) },
    { names: [products, orders], storage: SqlJsStorage.layer(asUsed(join(dir, "b"), { [orders]: join(dir, "c", "orders.sqlite") })) }
  ]
}

const storageIn = (dir: string, use: "read" | "write") => Effect.map(Layer.build(StorageByDatabase.layer(partsIn(dir, use))), Context.get(ShardStorage))

describe("StorageByDatabase over sql.js files", () => {
  it.effect("locks and writes each database in its own part's place only", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.scoped(
        Effect.gen(function* () {
          const storage = yield* storageIn(dir, "write")
          yield* storage.lockAll([users, orders, products])
          expect(yield* entries(join(dir, "a"))).toEqual(["users.db.lock"])
          expect(yield* entries(join(dir, "b"))).toEqual(["products.db.lock"])
          expect(yield* entries(join(dir, "c"))).toEqual(["orders.sqlite.lock"])
          for (const name of [users, products, orders]) {
            const database = yield* storage.database(name)
            yield* database.migrate(notes.model, notes.migrations)
            yield* database.insertBatch(notes, [[1, `in ${name}`, 1]])
            yield* database.persist
          }
          expect(yield* storage.fileRole(join(dir, "c", "orders.sqlite"), [users, products, orders])).toBe("the shard file of orders")
          // users is the first part's: the second is not asked about it, so its data directory's users.db is nobody's.
          expect(yield* storage.fileRole(join(dir, "b", "users.db"), [users, products, orders])).toBeUndefined()
          expect(yield* storage.fileRole(join(dir, "a", "users.db"), [users])).toBe("the shard file of users")
        })
      )
      expect(yield* entries(join(dir, "a"))).toEqual(["users.db"])
      expect(yield* entries(join(dir, "b"))).toEqual(["products.db"])
      expect(yield* entries(join(dir, "c"))).toEqual(["orders.sqlite"])
      expect(yield* queryFile(join(dir, "c", "orders.sqlite"), "SELECT body FROM notes")).toEqual([["in orders"]])
      // Read back through a reader of the same parts, which takes no lock.
      const rows = yield* Effect.scoped(
        Effect.gen(function* () {
          const storage = yield* storageIn(dir, "read")
          yield* storage.lockAll([users, products, orders])
          return yield* Effect.forEach([users, products, orders], (name) => Effect.flatMap(storage.database(name), (database) => database.select(notes, {})))
        })
      )
      expect(rows.map((found) => found.map((row) => row["body"]))).toEqual([["in users"], ["in products"], ["in orders"]])
      expect(yield* entries(join(dir, "a"))).toEqual(["users.db"])
    })
  )

  it.effect("a worker thread opens the same parts from its worker configuration, and writes what the main thread locked", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const rebuild = (config: StorageWorkerConfig): Layer.Layer<ShardStorage, StorageError> =>
        config.backend === SqlJsStorage.backend
          ? SqlJsStorage.fromWorkerOptions(config.options)
          : config.backend === StorageByDatabase.backend
            ? StorageByDatabase.fromWorkerOptions(config.options, rebuild)
            : Layer.effect(ShardStorage, Effect.fail(new StorageError({ shard: "*", location: "test", operation: "open", reason: config.backend })))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const storage = yield* storageIn(dir, "write")
          yield* storage.lockAll([users, orders])
          const config = storage.workerConfig === undefined ? yield* Effect.die("writers have a worker configuration") : yield* storage.workerConfig
          expect(config.backend).toBe("by-database")
          // As the worker does: from a structured clone, its locks held by this thread.
          yield* Effect.scoped(
            Effect.gen(function* () {
              const inWorker = Context.get(yield* Layer.build(rebuild(structuredClone(config))), ShardStorage)
              const database = yield* inWorker.database(orders)
              expect(database.location).toBe(join(dir, "c", "orders.sqlite"))
              yield* database.migrate(notes.model, notes.migrations)
              yield* database.insertBatch(notes, [[7, "from a worker", 1]])
              yield* database.persist
            })
          )
        })
      )
      expect(yield* queryFile(join(dir, "c", "orders.sqlite"), "SELECT id, body FROM notes")).toEqual([[7, "from a worker"]])
      expect(yield* entries(join(dir, "c"))).toEqual(["orders.sqlite"])
      expect(yield* entries(join(dir, "b"))).toEqual([])
    })
  )
})
