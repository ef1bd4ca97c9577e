import { claimedDatabases, Router, ShardRegistry, shardsLayer } from "@distributed-insert/pipeline"
import type { ShardName } from "@distributed-insert/shard"
import { ShardStorage, StorageByDatabase, StorageError, type StorageWorkerConfig } from "@distributed-insert/storage"
import { lockWaitNotice, SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { Console, Effect, Layer } from "effect"
import type { DatabaseFlags } from "./config/database-options.ts"
import { DatabaseSettings } from "./config/database-settings.ts"
import { redactSecrets } from "./config/redact.ts"
import { resolveDatabases } from "./config/resolve-databases.ts"
import { routers, shards } from "./plugins.ts"
import { POSTGRES_BACKEND, postgresStorage, postgresWorkerStorage } from "./postgres-storage.ts"

// The one module that names storage backends (PostgreSQL's through postgres-storage.ts):
// commands and the pipeline see only `ShardStorage`.

/** For the commands that write: each database they open is locked against other writers, waiting up to `waitSeconds`. */
export interface Writer {
  readonly waitSeconds: number
}

/**
 * Everything a command needs: the registered shards, the router chain, where each database is
 * (`DatabaseSettings`, from the flags and the configuration file), and the storage of them.
 * Commands that write pass `writer`: each database they open is locked against other writers,
 * waiting up to `waitSeconds` (saying so on stderr); the others only read and never lock. A
 * configuration that cannot be used fails the layer, before anything is opened.
 */
export const appLayer = (flags: DatabaseFlags, writer?: Writer) =>
  Layer.unwrap(
    Effect.gen(function* () {
      // The databases the routing uses, asked of the routers alone: nothing is opened for it.
      const names = yield* claimedDatabases.pipe(Effect.provide(Router.layer(routers).pipe(Layer.provideMerge(ShardRegistry.layer(shards)))))
      const settings = yield* resolveDatabases(flags, names)
      return Layer.merge(shardsLayer({ shards, routers, storage: storageOf(settings, writer) }), Layer.succeed(DatabaseSettings, settings))
    })
  )

/**
 * The storage of the configured databases. With SQLite files only, sql.js storage alone, the
 * files placed elsewhere than `<data-dir>/<name>.db` given to it by name. With PostgreSQL
 * databases too, a storage by database of two parts, always in this order (its `lockAll` takes
 * the locks part after part): the files' (sql.js, which also keeps looking at the data directory
 * for databases no shard uses), then the servers'.
 */
const storageOf = (settings: DatabaseSettings["Service"], writer: Writer | undefined): Layer.Layer<ShardStorage, StorageError> => {
  const files: Record<ShardName, string> = {}
  const servers: Record<ShardName, string> = {}
  const inFiles: Array<ShardName> = []
  const inServers: Array<ShardName> = []
  for (const { name, location, source } of settings.databases) {
    if (location._tag === "Postgres") {
      inServers.push(name)
      servers[name] = location.url
    } else {
      inFiles.push(name)
      if (source !== "default") files[name] = location.path
    }
  }
  const sqljs = SqlJsStorage.layer({
    dataDir: settings.dataDir,
    ...(Object.keys(files).length === 0 ? {} : { files }),
    ...(writer === undefined
      ? {}
      : { writer: { waitSeconds: writer.waitSeconds, onWait: (busy) => Console.error(lockWaitNotice(busy, writer.waitSeconds)) } })
  })
  if (inServers.length === 0) return sqljs
  const postgres = postgresStorage(
    servers,
    writer === undefined
      ? undefined
      : { waitSeconds: writer.waitSeconds, onWait: (busy) => Console.error(redactSecrets(`${busy}; waiting up to ${writer.waitSeconds} s`)) }
  )
  return StorageByDatabase.layer([
    { names: inFiles, storage: sqljs },
    { names: inServers, storage: postgres }
  ])
}

/**
 * The storage of a worker thread, from what the main thread's storage said of itself
 * (`workerConfig`): a storage by database is rebuilt part by part, through this same function.
 */
export const workerStorage = (config: StorageWorkerConfig): Layer.Layer<ShardStorage, StorageError> => {
  switch (config.backend) {
    case SqlJsStorage.backend:
      return SqlJsStorage.fromWorkerOptions(config.options)
    case StorageByDatabase.backend:
      return StorageByDatabase.fromWorkerOptions(config.options, workerStorage)
    case POSTGRES_BACKEND:
      return postgresWorkerStorage(config.options)
    default:
      return Layer.effect(
        ShardStorage,
        Effect.fail(
          new StorageError({ shard: "*", location: "worker thread", operation: "open", reason: `no storage backend "${config.backend}" in this application` })
        )
      )
  }
}
