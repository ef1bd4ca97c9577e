import { shardsLayer } from "@distributed-insert/pipeline"
import { ShardStorage, StorageError, type StorageWorkerConfig } from "@distributed-insert/storage"
import { lockWaitNotice, SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { Console, Effect, Layer } from "effect"
import { routers, shards } from "./plugins.ts"

// The one module that names a storage backend: commands and the pipeline see only `ShardStorage`.

/**
 * Everything a command needs: the registered shards, the router chain and sql.js storage in
 * `dataDir`. Commands that write pass `writer`: each shard they open is locked against other
 * writers, waiting up to `waitSeconds` (saying so on stderr); the others only read and never lock.
 */
export const appLayer = (dataDir: string, writer?: { readonly waitSeconds: number }) =>
  shardsLayer({
    shards,
    routers,
    storage: SqlJsStorage.layer(
      writer === undefined
        ? { dataDir }
        : { dataDir, writer: { waitSeconds: writer.waitSeconds, onWait: (busy) => Console.error(lockWaitNotice(busy, writer.waitSeconds)) } }
    )
  })

/** The storage of a worker thread, from what the main thread's storage said of itself (`workerConfig`). */
export const workerStorage = (config: StorageWorkerConfig) =>
  config.backend === SqlJsStorage.backend
    ? SqlJsStorage.fromWorkerOptions(config.options)
    : Layer.effect(
        ShardStorage,
        Effect.fail(
          new StorageError({ shard: "*", location: "worker thread", operation: "open", reason: `no storage backend "${config.backend}" in this application` })
        )
      )
