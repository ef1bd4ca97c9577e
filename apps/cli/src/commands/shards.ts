import { describeShards } from "@distributed-insert/core"
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { appLayer } from "../app-layer.ts"
import { dataDir, displayPath, json, shardSelection } from "../common-options.ts"
import { renderTable } from "../render/table.ts"

export const shardsCommand = Command.make("shards", { dataDir, shard: shardSelection, json }, (options) =>
  Effect.gen(function* () {
    const statuses = yield* describeShards(options.shard).pipe(Effect.provide(appLayer(options.dataDir)))
    if (options.json) return yield* Console.log(JSON.stringify(statuses, null, 2))
    const rows = statuses.map((status) => [
      status.shard,
      status.model,
      `${displayPath(status.location)}${status.exists ? "" : " (not created yet)"}`,
      status.rows,
      `${status.schemaVersion}/${status.latestVersion}`
    ])
    yield* Console.log(renderTable(["SHARD", "MODEL", "FILE", "ROWS", "SCHEMA"], rows))
  })
).pipe(Command.withDescription("List the registered shards with their model, file, row count and schema version"))
