import { ShardName } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { ShardStorage, type StorageWorkerConfig } from "./storage.ts"
import { StorageByDatabase, type StoragePart } from "./storage-by-database.ts"
import { StorageError } from "./storage-error.ts"
import { MemoryStorage, notesModel, storageConformance } from "./testing.ts"

const conformance = ShardName.make("conformance")
const conformanceOthers = [ShardName.make("conformance-other"), ShardName.make("conformance-third")]

// The suite's first database in one memory place, its other two in another: a place here is the
// two places' names joined by `|`.
storageConformance("by-database over memory", {
  open: (places) => {
    const [first = "", second = ""] = places.split("|")
    return StorageByDatabase.layer([
      { names: [conformance], storage: MemoryStorage.layer(first) },
      { names: conformanceOthers, storage: MemoryStorage.layer(second) }
    ])
  },
  newPlace: Effect.map(Effect.all([MemoryStorage.newPlace, MemoryStorage.newPlace]), (places) => places.join("|")),
  runsMigrationSql: false
})

const users = ShardName.make("users")
const products = ShardName.make("products")
const orders = ShardName.make("orders")

/** Every call a part got, with the database names it was given. */
type Call = readonly [method: string, names: ReadonlyArray<string>]

/**
 * A memory storage at `place` that records every call with the names it is given, and, unlike
 * a memory storage, has a worker configuration (`{ backend: "spy", options: { place } }`) and
 * keeps one file per database (`<place>/<name>.file`), so that those can be combined.
 */
const spyStorage = (place: string, calls: Array<Call>): Layer.Layer<ShardStorage> =>
  Layer.effect(
    ShardStorage,
    Effect.gen(function* () {
      const inner = Context.get(yield* Layer.build(MemoryStorage.layer(place)), ShardStorage)
      return ShardStorage.of({
        database: (name) => Effect.andThen(Effect.sync(() => calls.push(["database", [name]])), inner.database(name)),
        lock: (name) => Effect.andThen(Effect.sync(() => calls.push(["lock", [name]])), inner.lock(name)),
        lockAll: (names) => Effect.andThen(Effect.sync(() => calls.push(["lockAll", names])), inner.lockAll(names)),
        workerConfig: Effect.succeed({ backend: "spy", options: { place } }),
        fileRole: (path, names) =>
          Effect.sync(() => {
            calls.push(["fileRole", names])
            return names.find((name) => path === `${place}/${name}.file`) === undefined ? undefined : `the file of ${path}`
          }),
        unclaimed: (names) => Effect.andThen(Effect.sync(() => calls.push(["unclaimed", names])), inner.unclaimed(names))
      })
    })
  )

/** `work` on a storage by database of `parts`, opened for it and closed after it. */
const withStorage = <A, E, E2>(parts: ReadonlyArray<StoragePart<E2>>, work: (storage: ShardStorage["Service"]) => Effect.Effect<A, E>) =>
  Effect.provide(Effect.flatMap(ShardStorage, work), StorageByDatabase.layer(parts))

/** A row in notes' table of database `name`, so that the database exists. */
const writeNote = (storage: ShardStorage["Service"], name: ShardName) =>
  Effect.gen(function* () {
    const database = yield* storage.database(name)
    yield* database.migrate(notesModel.model, notesModel.migrations)
    yield* database.insertBatch(notesModel, [[1, `in ${name}`, 1]])
  })

describe("StorageByDatabase", () => {
  it.effect("opens each database in the part that holds it, and refuses one that no part holds", () =>
    Effect.gen(function* () {
      const [left, right] = [yield* MemoryStorage.newPlace, yield* MemoryStorage.newPlace]
      yield* withStorage(
        [
          { names: [users], storage: MemoryStorage.layer(left) },
          { names: [products, orders], storage: MemoryStorage.layer(right) }
        ],
        (storage) =>
          Effect.gen(function* () {
            expect((yield* storage.database(users)).location).toBe(`memory:${left}/users`)
            expect((yield* storage.database(orders)).location).toBe(`memory:${right}/orders`)
            expect(yield* storage.database(users)).toBe(yield* storage.database(users))
            const refused = yield* Effect.flip(storage.database(ShardName.make("reviews")))
            expect(refused).toBeInstanceOf(StorageError)
            expect(refused.message).toBe("open failed for shard reviews (storage by database): no storage holds database reviews: none is configured for it")
            expect((yield* Effect.flip(storage.lock(ShardName.make("reviews")))).operation).toBe("open")
          })
      )
    })
  )

  it.effect("tells each part of its own databases only, and asks every part for unclaimed databases with every name", () =>
    Effect.gen(function* () {
      const [left, right] = [yield* MemoryStorage.newPlace, yield* MemoryStorage.newPlace]
      const leftCalls: Array<Call> = []
      const rightCalls: Array<Call> = []
      const parts = [
        { names: [users], storage: spyStorage(left, leftCalls) },
        { names: [products, orders], storage: spyStorage(right, rightCalls) }
      ]
      yield* withStorage(parts, (storage) =>
        Effect.gen(function* () {
          yield* storage.lockAll([orders, users, products, users])
          yield* storage.lock(products)
          yield* writeNote(storage, users)
          yield* writeNote(storage, orders)
          expect(yield* storage.fileRole(`${right}/orders.file`, [users, orders])).toBe(`the file of ${right}/orders.file`)
          // The left part holds users only: it is not asked whether the path is products'.
          expect(yield* storage.fileRole(`${left}/products.file`, [users, products])).toBeUndefined()
          expect(yield* storage.fileRole(`${left}/users.file`, [products])).toBeUndefined()
          yield* storage.unclaimed([users])
        })
      )
      expect(leftCalls).toEqual([
        ["lockAll", [users]],
        ["database", [users]],
        ["fileRole", [users]],
        ["fileRole", [users]],
        ["unclaimed", [users]]
      ])
      expect(rightCalls).toEqual([
        // Each part in the order it was given the names, each name once.
        ["lockAll", [orders, products]],
        ["lock", [products]],
        ["database", [orders]],
        ["fileRole", [orders]],
        ["fileRole", [products]],
        ["fileRole", [products]],
        ["unclaimed", [users]]
      ])
    })
  )

  it.effect("lists the unclaimed databases of every part together, in name order", () =>
    Effect.gen(function* () {
      const [left, right] = [yield* MemoryStorage.newPlace, yield* MemoryStorage.newPlace]
      const parts = [
        { names: [users, orders], storage: MemoryStorage.layer(left) },
        { names: [products], storage: MemoryStorage.layer(right) }
      ]
      yield* withStorage(parts, (storage) => Effect.all([writeNote(storage, users), writeNote(storage, orders), writeNote(storage, products)]))
      const found = yield* withStorage(parts, (storage) => storage.unclaimed([]))
      expect(found.map((database) => database.location)).toEqual([`memory:${left}/orders`, `memory:${right}/products`, `memory:${left}/users`])
      expect(yield* withStorage(parts, (storage) => storage.unclaimed([users, products, orders]))).toEqual([])
    })
  )

  it.effect("refuses a database given to two parts when it is built", () =>
    Effect.gen(function* () {
      const refused = yield* Effect.flip(
        withStorage(
          [
            { names: [users, products], storage: MemoryStorage.layer() },
            { names: [products], storage: MemoryStorage.layer() }
          ],
          () => Effect.void
        )
      )
      expect(refused.message).toBe("open failed for shard products (storage by database): database products is given to two storages; each database must be in one")
    })
  )

  it.effect("has a worker configuration only when every part has one: each part's, with its names", () =>
    Effect.gen(function* () {
      const place = yield* MemoryStorage.newPlace
      const withMemory = [
        { names: [users], storage: spyStorage(place, []) },
        { names: [products], storage: MemoryStorage.layer() }
      ]
      expect(yield* withStorage(withMemory, (storage) => Effect.succeed(storage.workerConfig))).toBeUndefined()
      const config = yield* withStorage([{ names: [users, orders], storage: spyStorage(place, []) }], (storage) =>
        storage.workerConfig === undefined ? Effect.die("no worker configuration") : storage.workerConfig
      )
      expect(config).toEqual({ backend: "by-database", options: { parts: [{ names: [users, orders], config: { backend: "spy", options: { place } } }] } })
    })
  )

  it.effect("is opened again from its worker configuration, as plain data, each part by the application's storage factory", () =>
    Effect.gen(function* () {
      const [left, right] = [yield* MemoryStorage.newPlace, yield* MemoryStorage.newPlace]
      const config = yield* withStorage(
        [
          { names: [users], storage: spyStorage(left, []) },
          { names: [products, orders], storage: spyStorage(right, []) }
        ],
        (storage) =>
          Effect.gen(function* () {
            yield* writeNote(storage, users)
            yield* writeNote(storage, orders)
            return storage.workerConfig === undefined ? yield* Effect.die("no worker configuration") : yield* storage.workerConfig
          })
      )
      const rebuilt: Array<StorageWorkerConfig> = []
      const factory = (part: StorageWorkerConfig): Layer.Layer<ShardStorage, StorageError> => {
        rebuilt.push(part)
        const options = part.options
        return part.backend === "spy" && typeof options === "object" && options !== null && "place" in options && typeof options.place === "string"
          ? MemoryStorage.layer(options.place)
          : Layer.effect(ShardStorage, Effect.fail(new StorageError({ shard: "*", location: "test", operation: "open", reason: `no ${part.backend}` })))
      }
      const read = (name: ShardName) =>
        Effect.provide(
          Effect.flatMap(ShardStorage, (storage) => Effect.flatMap(storage.database(name), (database) => database.select(notesModel, {}))),
          StorageByDatabase.fromWorkerOptions(structuredClone(config).options, factory)
        )
      expect(yield* read(users)).toEqual([{ id: 1, body: "in users", stars: 1 }])
      expect(yield* read(orders)).toEqual([{ id: 1, body: "in orders", stars: 1 }])
      expect(rebuilt.map((part) => part.options)).toEqual([{ place: left }, { place: right }, { place: left }, { place: right }])
    })
  )

  it.effect("refuses worker options that are not a storage by database's", () =>
    Effect.gen(function* () {
      const refused = yield* Effect.flip(
        Effect.provide(Effect.flatMap(ShardStorage, (storage) => storage.database(users)), StorageByDatabase.fromWorkerOptions({ parts: [{ names: ["Not A Name"], config: {} }] }, () => MemoryStorage.layer()))
      )
      expect(refused).toBeInstanceOf(StorageError)
      expect(refused.location).toBe("worker thread")
    })
  )
})
