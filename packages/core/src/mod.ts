/**
 * Core of distributed-insert: the shard plugin contract, the router chain, validation with
 * `effect/Schema`, shard storage as a service (sql.js files by default) and the concurrent
 * insert pipeline with its per-record report.
 *
 * @module
 */
export { type DatabaseRouter, defaultRouter, type ModelRef, Router, type RoutingHints } from "./router.ts"
export {
  GeneratedFileError,
  GeneratorsMissingError,
  InputError,
  RecordNotFoundError,
  ReportError,
  ShardLockedError,
  ShardRegistryError,
  StorageError,
  type StorageOperation,
  UnknownShardError,
  UnroutableModelError
} from "./errors.ts"
export { checkGenerators } from "./check-generators.ts"
export { checkShards, type ShardCheck } from "./check.ts"
export { type GeneratedFile, type GenerateFilesOptions, generateFiles } from "./generate-files.ts"
export {
  type GeneratedCounts,
  type GeneratedRecord,
  type GenerateOptions,
  generateNdjson,
  generateRecords,
  type NdjsonChunks
} from "./generate.ts"
export { DEFAULT_BATCH_SIZE, type InsertOptions, insertedResult, insertRecords, type ResultSink } from "./insert-records.ts"
export { type LoadOptions, loadShard, type OpenedShard, openShard, type ShardPhase, type ShardProgress } from "./load-shard.ts"
export { notPersistedResult } from "./not-persisted.ts"
export { type CheckpointOptions, DEFAULT_CHECKPOINT_RECORDS, DEFAULT_CHECKPOINT_SECONDS } from "./checkpoint-policy.ts"
export { memoryInput, sampleInput } from "./sample-input.ts"
export { failedInput } from "./failed-input.ts"
export type { ResultFiles } from "./shard-tally.ts"
export { describeShards, getRecord, listRecords, type RecordPage, type ShardStatus } from "./inspect.ts"
export { readCsv } from "./input/csv.ts"
export { formatOfPath, INPUT_FORMATS, type InputFormat } from "./input/format.ts"
export { type InputSpec, parseInputSpec } from "./input/input-spec.ts"
export { readJsonArray } from "./input/json-array.ts"
export { readNdjson } from "./input/ndjson.ts"
export { openInput, STDIN_PATH } from "./input/open-input.ts"
export { type AppliedStep, migrate, migrateDatabase, type MigrationResult } from "./migrate.ts"
export type { AppliedMigration, Migration } from "./migration.ts"
export { populate, type PopulateOptions } from "./populate.ts"
export type { RecordIssue } from "./record-issue.ts"
export type { MalformedInput, RecordSource, ShardInput, SourceItem, SourceRecord } from "./record-source.ts"
export { type Random, seededRandom } from "./random.ts"
export { ShardRegistry } from "./registry.ts"
export { runShardInWorker, serveShardWorker, ShardWorkerTask } from "./shard-worker.ts"
export { shardsLayer } from "./shards-layer.ts"
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
export type { Rule, RuleBuilder, RuleSpec } from "./rule.ts"
export { defineShard, type RecordGenerators, type RecordShape, type Shard, type ShardConfig, type ShardDefinition } from "./shard.ts"
export {
  acquireShardLock,
  inspectShardLock,
  type LockHolder,
  type LockWait,
  lockFileOf,
  lockWaitNotice,
  type ShardLockOptions,
  type ShardLockState
} from "./shard-lock.ts"
export { ShardName } from "./shard-name.ts"
export type { SqlValue } from "./sql-value.ts"
export { SqlJsStorage, type SqlJsStorageOptions } from "./sqljs-storage.ts"
export { type RowOutcome, type ShardDatabase, ShardStorage, type TableTarget } from "./storage.ts"
export type { Row, Validation, Validator } from "./validation.ts"
export { writeGeneratedShard } from "./write-generated-shard.ts"
