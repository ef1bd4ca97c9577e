/**
 * The storage interface: what the pipeline asks of a shard database, whatever the engine.
 * Backends (`@distributed-insert/storage-sqljs`, ...) provide `ShardStorage` as a `Layer`; the
 * `testing` export holds the conformance suite every backend runs, and an in-memory backend.
 *
 * @module
 */

export {
  type ConflictMode,
  type Durability,
  type Refusal,
  type RefusalKind,
  RowOutcome,
  type ShardDatabase,
  ShardStorage,
  StorageWorkerConfig,
  type TableTarget,
  type UnclaimedDatabase
} from "./storage.ts"
export { StorageError, type StorageOperation } from "./storage-error.ts"
export { StorageByDatabase, type StoragePart } from "./storage-by-database.ts"
export { layerFromWorkerOptions } from "./worker-options.ts"
