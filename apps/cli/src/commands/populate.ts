import { populate } from "@distributed-insert/core"
import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { appLayer } from "../app-layer.ts"
import { dataDir, json, shardSelection } from "../common-options.ts"
import { ShardFailuresError } from "../errors.ts"
import { shards } from "../plugins.ts"
import { renderPopulateReport } from "../render/populate-report.ts"

const reset = Options.boolean("reset").pipe(Options.withDescription("Start every selected shard from an empty database"))

const batchSize = Options.integer("batch-size").pipe(
  Options.withDescription("Records per transaction; shards take turns between batches"),
  Options.withDefault(10_000)
)

const primaryKeys = new Map(shards.map((shard) => [shard.name as string, shard.primaryKey]))

export const populateCommand = Command.make(
  "populate",
  { dataDir, shard: shardSelection, json, reset, batchSize },
  (options) =>
    Effect.gen(function* () {
      const report = yield* populate({ shards: options.shard, reset: options.reset, batchSize: options.batchSize }).pipe(
        Effect.provide(appLayer(options.dataDir))
      )
      yield* Console.log(options.json ? JSON.stringify(report, null, 2) : renderPopulateReport(report, primaryKeys))
      const failures = report.shards.flatMap((shard) => (shard.error === null ? [] : [{ shard: shard.shard, message: shard.error.message }]))
      if (failures.length > 0) return yield* new ShardFailuresError({ failures })
    })
).pipe(
  Command.withDescription(
    "Apply pending migrations, then validate and insert the sample data of every shard, one concurrent fiber per shard"
  )
)
