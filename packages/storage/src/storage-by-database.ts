import { ShardName } from "@distributed-insert/shard"
import { Context, Effect, Layer, Schema } from "effect"
import { ShardStorage, StorageWorkerConfig, type UnclaimedDatabase } from "./storage.ts"
import { StorageError } from "./storage-error.ts"
import { layerFromWorkerOptions } from "./worker-options.ts"

/** The name a storage by database gives itself where a backend is named (`StorageWorkerConfig.backend`). */
const BACKEND = "by-database"

/** Where a storage by database says a failure of its own happened (it has no file or server of its own). */
const LOCATION = "storage by database"

/** One storage of a `StorageByDatabase`, and the databases it holds. */
export interface StoragePart<E = never> {
  readonly names: ReadonlyArray<ShardName>
  readonly storage: Layer.Layer<ShardStorage, E>
}

/**
 * What a worker thread gets to open a storage by database: each part's names and its own
 * storage's worker configuration, which the application turns back into that storage.
 */
const WorkerOptions = Schema.Struct({
  parts: Schema.Array(
    Schema.Struct({
      names: Schema.Array(ShardName),
      config: StorageWorkerConfig
    })
  )
})

/** A part once its layer is built: its storage, and its names as a set. */
interface BuiltPart {
  readonly names: ReadonlySet<ShardName>
  readonly storage: ShardStorage["Service"]
}

/**
 * A `ShardStorage` made of other storages, each holding the databases it is given by name, as
 * Django's `DATABASES` gives each alias its own engine: some databases on a PostgreSQL server,
 * others in SQLite files. It knows no engine: each call goes to the part that holds the database,
 * and a part is only ever told of its own databases (`database`, `lock`, `lockAll`, `fileRole`).
 *
 * A database that no part holds cannot be opened or locked (a `StorageError`), and a database
 * given to two parts is refused when the layer is built: which one holds it would otherwise
 * depend on the order of the parts.
 */
export const StorageByDatabase = {
  backend: BACKEND,
  /**
   * The storage whose databases are those of `parts`. Each part's layer is built, in order, when
   * this one is, and closed with it (in reverse order).
   */
  layer: <E>(parts: ReadonlyArray<StoragePart<E>>): Layer.Layer<ShardStorage, E | StorageError> =>
    Layer.effect(
      ShardStorage,
      Effect.gen(function* () {
        yield* requireDisjoint(parts)
        const built = yield* Effect.forEach(parts, (part) =>
          Effect.map(Layer.build(part.storage), (context): BuiltPart => ({ names: new Set(part.names), storage: Context.get(context, ShardStorage) }))
        )
        return storageOf(parts, built)
      })
    ),
  /**
   * The storage a worker thread opens from a storage by database's `workerConfig` options: each
   * part rebuilt by `partStorage` (the application's own, which knows the backends, and is
   * called again for a part that is itself a storage by database).
   */
  fromWorkerOptions: (
    options: unknown,
    partStorage: (config: StorageWorkerConfig) => Layer.Layer<ShardStorage, StorageError>
  ): Layer.Layer<ShardStorage, StorageError> =>
    layerFromWorkerOptions(WorkerOptions, options, ({ parts }) =>
      StorageByDatabase.layer(parts.map((part) => ({ names: part.names, storage: partStorage(part.config) })))
    )
}

const requireDisjoint = (parts: ReadonlyArray<StoragePart<unknown>>): Effect.Effect<void, StorageError> => {
  const seen = new Set<ShardName>()
  for (const part of parts) {
    for (const name of new Set(part.names)) {
      if (seen.has(name)) {
        return Effect.fail(
          new StorageError({ shard: name, location: LOCATION, operation: "open", reason: `database ${name} is given to two storages; each database must be in one` })
        )
      }
      seen.add(name)
    }
  }
  return Effect.void
}

const storageOf = (parts: ReadonlyArray<StoragePart<unknown>>, built: ReadonlyArray<BuiltPart>): ShardStorage["Service"] => {
  const partOf = (name: ShardName) => built.find((part) => part.names.has(name))
  const unheld = (name: ShardName) =>
    new StorageError({ shard: name, location: LOCATION, operation: "open", reason: `no storage holds database ${name}: none is configured for it` })
  /** The names of `names` that `part` holds, without repeats, in the order given. */
  const namesIn = (part: BuiltPart, names: ReadonlyArray<ShardName>) => [...new Set(names)].filter((name) => part.names.has(name))

  // A worker can only open this storage if it can open every part: one of them held in this
  // thread's memory keeps every shard in this thread.
  const partConfigs = built.flatMap((part) => (part.storage.workerConfig === undefined ? [] : [part.storage.workerConfig]))
  const workerConfig =
    partConfigs.length < built.length
      ? undefined
      : Effect.map(
          Effect.all(partConfigs),
          (configs): StorageWorkerConfig => ({
            backend: BACKEND,
            options: { parts: configs.map((config, index) => ({ names: [...(parts[index]?.names ?? [])], config })) }
          })
        )

  return ShardStorage.of({
    database: (name) => {
      const part = partOf(name)
      return part === undefined ? Effect.fail(unheld(name)) : part.storage.database(name)
    },
    lock: (name) => {
      const part = partOf(name)
      return part === undefined ? Effect.fail(unheld(name)) : part.storage.lock(name)
    },
    // Part after part, in the parts' order, each taking its own locks in its own deadlock-free
    // order (sql.js: one at a time, by name). So a run takes all its locks in one total order (the
    // part's index, then that part's order) and only ever waits for a lock that comes after every
    // one it holds; runs waiting on one another in a cycle would need one of them to wait for a
    // lock that comes before one it holds. That holds for every run given the same parts, and for
    // runs configured otherwise as long as a place they share holds the same database for both
    // (the application orders its parts by engine, files then servers): two configurations that
    // swap two databases' places would write each other's data anyway. A database no part holds
    // has no lock to take: using it fails, saying so.
    lockAll: (names) => Effect.forEach(built, (part) => part.storage.lockAll(namesIn(part, names)), { discard: true }),
    workerConfig,
    // The first part that knows the path, each asked about its own databases only.
    fileRole: (path, names) =>
      Effect.gen(function* () {
        for (const part of built) {
          const own = namesIn(part, names)
          if (own.length === 0) continue
          const role = yield* part.storage.fileRole(path, own)
          if (role !== undefined) return role
        }
        return undefined
      }),
    // Every part asked with every name: two parts may share a place (a directory, a server), and
    // a database one holds must not look unclaimed to the other.
    unclaimed: (names) =>
      Effect.map(Effect.forEach(built, (part) => part.storage.unclaimed(names)), (found) => unionOf(found.flat()))
  })
}

/** The databases found, in name order (then location), each once even if two parts share its place. */
const unionOf = (found: ReadonlyArray<UnclaimedDatabase>): ReadonlyArray<UnclaimedDatabase> => {
  const byPlace = new Map<string, UnclaimedDatabase>()
  for (const database of found) {
    const key = `${database.name}\u0000${database.location}`
    if (!byPlace.has(key)) byPlace.set(key, database)
  }
  return [...byPlace.values()].sort((left, right) =>
    left.name === right.name ? (left.location < right.location ? -1 : left.location > right.location ? 1 : 0) : left.name < right.name ? -1 : 1
  )
}
