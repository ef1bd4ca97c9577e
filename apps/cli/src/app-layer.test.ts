import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { Context, Effect, Layer, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { appLayer, workerStorage } from "./app-layer.ts"
import { DatabaseSettings } from "./config/database-settings.ts"
import { shards } from "./plugins.ts"

// The storage the application builds from where the databases are, and rebuilds in a worker
// thread from its worker configuration: in this process, as plain data crossing a structured clone.

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-app-layer-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const users = ShardName.make("users")
const products = ShardName.make("products")
const orders = ShardName.make("orders")
const url = "postgres://app:secret@127.0.0.1:1/shop"

describe("appLayer", () => {
  it("builds a storage by database from the configuration, whose worker configuration a worker turns back into the same storage", async () => {
    const config = join(dir, "app.json")
    await writeFile(config, JSON.stringify({ databases: { users: url } }))
    const elsewhere = join(dir, "elsewhere", "orders.db")
    const flags = { dataDir: Option.some(join(dir, "data")), config: Option.some(config), database: [`orders=${elsewhere}`] }
    const program = Effect.gen(function* () {
      const settings = yield* DatabaseSettings
      expect(settings.configFile).toBe(config)
      expect(settings.databases.slice(0, 3)).toEqual([
        { name: users, location: { _tag: "Postgres", url }, source: "config" },
        { name: products, location: { _tag: "File", path: join(dir, "data", "products.db") }, source: "default" },
        { name: orders, location: { _tag: "File", path: elsewhere }, source: "flag" }
      ])
      const storage = yield* ShardStorage
      yield* storage.lockAll([users, products, orders])
      if (storage.workerConfig === undefined) return yield* Effect.die("a writer has a worker configuration")
      const workerConfig = yield* storage.workerConfig
      const inFiles = shards.map((shard) => shard.name).filter((name) => name !== users)
      expect(workerConfig).toMatchObject({
        backend: "by-database",
        options: {
          parts: [
            { names: inFiles, config: { backend: "sqljs", options: { dataDir: join(dir, "data"), files: { orders: elsewhere } } } },
            { names: [users], config: { backend: "postgres", options: { databases: { users: url } } } }
          ]
        }
      })
      // In the worker: its locks are the main thread's.
      yield* Effect.scoped(
        Effect.gen(function* () {
          const inWorker = Context.get(yield* Layer.build(workerStorage(structuredClone(workerConfig))), ShardStorage)
          const database = yield* inWorker.database(orders)
          expect(database.location).toBe(elsewhere)
          yield* database.migrate("Order", shards.find((shard) => shard.name === orders)?.migrations ?? [])
          yield* database.persist
          const refused = yield* Effect.flip(inWorker.database(users))
          expect(refused.reason).toContain("is not reachable: the connection was refused")
        })
      )
    })
    await Effect.runPromise(Effect.scoped(Effect.provide(program, appLayer(flags, { waitSeconds: 0 }))))
    expect(await readdir(join(dir, "elsewhere"))).toEqual(["orders.db"])
    expect(await readdir(join(dir, "data")).catch(() => [])).toEqual([])
  })

  it("with SQLite files only, is sql.js storage itself, as before any configuration", async () => {
    const flags = { dataDir: Option.some(join(dir, "data")), config: Option.none(), database: [] }
    const backend = await Effect.runPromise(
      Effect.scoped(
        Effect.provide(
          Effect.flatMap(ShardStorage, (storage) => (storage.workerConfig === undefined ? Effect.succeed("none") : Effect.map(storage.workerConfig, (config) => config.backend))),
          appLayer(flags, { waitSeconds: 0 })
        )
      )
    )
    expect(backend).toBe("sqljs")
  })

  it("a worker configuration of no backend it knows fails the worker's storage, naming it", async () => {
    const error = await Effect.runPromise(Effect.flip(Effect.scoped(Layer.build(workerStorage({ backend: "oracle", options: {} })))))
    expect(error.message).toBe('open failed for the storage (worker thread): no storage backend "oracle" in this application')
  })
})
