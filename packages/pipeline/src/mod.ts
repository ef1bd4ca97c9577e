/**
 * The pipeline: the shard registry and the router chain, and the concurrent insert of every
 * shard's records (in fibers or worker threads) with its per-record report; migrate, inspect
 * and check. Knows shards, inputs and the storage interface, never a storage engine.
 *
 * @module
 */
export { checkShards, type ShardCheck } from "./check.ts"
export type { CheckpointOptions } from "./checkpoint-policy.ts"
export { claimedDatabases, unclaimedDatabases } from "./claimed-databases.ts"
export { RecordNotFoundError, ReportError, ShardRegistryError, UnknownShardError, UnroutableModelError } from "./errors.ts"
export {
  InputFile,
  type InputSource,
  inputFile,
  type OpenedInput,
  openedInput,
  openSource,
  SAMPLE_DATA,
  SampleData,
  WorkerSource
} from "./input-source.ts"
export { type InsertOptions, insertedResult, insertRecords, type ResultSink } from "./insert-records.ts"
export { describeShards, getRecord, listRecords, type RecordPage, type ShardStatus } from "./inspect.ts"
export { DEFAULT_LOAD_SETTINGS, LoadSettings, loadSettings } from "./load-settings.ts"
export { type LoadOptions, loadShard, type OpenedShard, openShard, type ShardPhase, type ShardProgress } from "./load-shard.ts"
export { type AppliedStep, type MigrationResult, migrate, migrateDatabase } from "./migrate.ts"
export { notPersistedResult } from "./not-persisted.ts"
export { type PopulateOptions, populate } from "./populate.ts"
export { ShardRegistry } from "./registry.ts"
export {
  type Counts,
  type RecordResult,
  type RecordStatus,
  type RunReport,
  type RunSummary,
  type ShardFailure,
  type ShardReport,
  summarize
} from "./report.ts"
export { durableThroughByShard } from "./report-markers.ts"
export { type ResultFiles, resultFilesIn } from "./result-files.ts"
export { type RoutedShard, routeShard } from "./routed-shard.ts"
export { type DatabaseRouter, defaultRouter, type ModelRef, Router, type RoutingHints } from "./router.ts"
export { selectShards } from "./select-shards.ts"
export { serveShardWorker } from "./serve-shard-worker.ts"
export { ShardWorkerTask } from "./shard-worker-task.ts"
export { shardsLayer } from "./shards-layer.ts"
export type { ShardWorkers } from "./worker-tasks.ts"
