/**
 * The pipeline: the shard registry and the router chain, and the concurrent insert of every
 * shard's records (in fibers or worker threads) with its per-record report; migrate, inspect
 * and check. Knows shards, inputs and the storage interface, never a storage engine. Its
 * building blocks (loadShard, insertRecords, the worker task) stay inside: `populate` is the way in.
 *
 * @module
 */
export { checkShards, type ShardCheck } from "./check.ts"
export type { CheckpointOptions } from "./checkpoint-policy.ts"
export { claimedDatabases, unclaimedDatabases } from "./claimed-databases.ts"
export { RecordNotFoundError, ReportError, ShardRegistryError, UnknownShardError, UnroutableModelError } from "./errors.ts"
export { InputFile, type InputSource, inputFile, type OpenedInput, openedInput } from "./input-source.ts"
export { describeShards, getRecord, listRecords, type RecordPage, type ShardStatus } from "./inspect.ts"
export { DEFAULT_LOAD_SETTINGS, LoadSettings, loadSettings } from "./load-settings.ts"
export type { ShardPhase, ShardProgress } from "./load-shard.ts"
export { type AppliedStep, type MigrationResult, migrate } from "./migrate.ts"
export { type PopulateOptions, populate } from "./populate.ts"
export { ShardRegistry } from "./registry.ts"
export type {
  Counts,
  RecordResult,
  RecordStatus,
  RunReport,
  RunSummary,
  ShardFailure,
  ShardReport
} from "./report.ts"
export { durableThroughByShard } from "./report-markers.ts"
export { type ResultFiles, resultFilesIn } from "./result-files.ts"
export { type DatabaseRouter, defaultRouter, type ModelRef, Router, type RoutingHints } from "./router.ts"
export { selectShards } from "./select-shards.ts"
export { serveShardWorker } from "./serve-shard-worker.ts"
export { shardsLayer } from "./shards-layer.ts"
export type { ShardWorkers } from "./worker-tasks.ts"
