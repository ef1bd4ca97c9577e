import { Effect, Either } from "effect"
import type { StorageError, UnroutableModelError } from "./errors.ts"
import { DEFAULT_BATCH_SIZE, type InsertOptions, insertRecords, rejected } from "./insert-records.ts"
import { migrateDatabase } from "./migrate.ts"
import type { RecordResult, RunReport, ShardReport } from "./report.ts"
import { countRecords, summarize } from "./report.ts"
import { Router } from "./router.ts"
import { selectShards } from "./select-shards.ts"
import type { Shard } from "./shard.ts"
import { type ShardDatabase, ShardStorage } from "./storage.ts"

export interface PopulateOptions extends InsertOptions {
  /** Shards to load, by shard or model name; all registered shards when empty. */
  readonly shards?: ReadonlyArray<string>
  /** The records to load into a shard; its built-in sample data by default. */
  readonly records?: (shard: Shard) => Iterable<unknown>
  /** Start every selected shard's database from empty (the old file stays until the new one is written). */
  readonly reset?: boolean
}

/**
 * Loads every selected shard concurrently, one fiber per shard, and reports each record.
 *
 * Shards fail alone: a shard whose database cannot be routed, opened, migrated or written is
 * reported with its error while the others complete. Reports come back in registration
 * order, whatever order the fibers finish in.
 */
export const populate = (options: PopulateOptions = {}) =>
  Effect.gen(function* () {
    const shards = yield* selectShards(options.shards)
    const startedAt = new Date().toISOString()
    // Cached per database, so two models sharing one are reset once, before either inserts.
    const reset = yield* Effect.cachedFunction((database: ShardDatabase) => database.reset)
    const prepare = options.reset === true ? reset : () => Effect.void
    // Every shard is opened and migrated before any of them inserts. Opening waits for file
    // I/O, and a fiber resumed from I/O would run all its batches (yielding only to fibers that
    // are ready) before the others had even opened; so the fibers start inserting together and
    // take turns between batches.
    const opened = yield* Effect.forEach(shards, (shard) => openShard(shard, prepare), { concurrency: "unbounded" })
    const reports = yield* Effect.forEach(opened, (shard) => loadShard(shard, options), { concurrency: "unbounded" })
    const report: RunReport = { startedAt, finishedAt: new Date().toISOString(), shards: reports, summary: summarize(reports) }
    return report
  })

const openShard = (shard: Shard, prepare: (database: ShardDatabase) => Effect.Effect<void, StorageError>) =>
  Effect.gen(function* () {
    const router = yield* Router
    const storage = yield* ShardStorage
    const started = new Date()
    const opened = yield* Effect.either(
      Effect.gen(function* () {
        const database = yield* storage.database(yield* router.dbForWrite(shard.model))
        yield* prepare(database)
        return { database, migrations: yield* migrateDatabase(database) }
      })
    )
    return { shard, started, opened }
  })

const loadShard = (
  { shard, started, opened }: Effect.Effect.Success<ReturnType<typeof openShard>>,
  options: PopulateOptions
) =>
  Effect.gen(function* () {
    const finish = (fields: Pick<ShardReport, "database" | "location" | "migrationsApplied" | "records" | "error">): ShardReport => {
      const finished = new Date()
      return {
        shard: shard.name,
        model: shard.model,
        database: fields.database,
        location: fields.location,
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        migrationsApplied: fields.migrationsApplied,
        counts: countRecords(fields.records),
        error: fields.error,
        records: fields.records
      }
    }

    if (Either.isLeft(opened)) {
      return finish({ database: null, location: locationOf(opened.left), migrationsApplied: [], records: [], error: describe(opened.left) })
    }
    const { database, migrations } = opened.right
    const results: Array<RecordResult> = []
    const records = options.records?.(shard) ?? shard.sample
    const loaded = yield* Effect.either(
      Effect.zipRight(
        insertRecords(shard, database, records, results, { batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE }),
        database.persist
      )
    )
    const common = { database: database.name, location: database.location, migrationsApplied: migrations }
    return Either.isRight(loaded)
      ? finish({ ...common, records: results, error: null })
      : finish({ ...common, records: results.map((result) => notPersisted(result, loaded.left)), error: describe(loaded.left) })
  })

/** What an in-memory insert becomes when its shard could not be written: it did not land. */
const notPersisted = (result: RecordResult, error: StorageError): RecordResult =>
  result.status !== "inserted"
    ? result
    : rejected(result.position, result.data, "failed", [
        { kind: "database", field: null, rule: "not-persisted", message: `not persisted: ${error.message}` }
      ])

const describe = (error: StorageError | UnroutableModelError): ShardReport["error"] => ({
  operation: error._tag === "StorageError" ? error.operation : "route",
  message: error.message
})

const locationOf = (error: StorageError | UnroutableModelError): string | null =>
  error._tag === "StorageError" ? error.location : null
