import { migrate } from "@distributed-insert/pipeline"
import { Console, Effect } from "effect"
import { Command } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import { databaseOptions, databaseOptionsDetail, databaseOptionsHelp } from "../config/database-options.ts"
import { redactSecrets } from "../config/redact.ts"
import { json, jsonHelp, shardSelection, shardSelectionHelp, waitLock, waitLockHelp } from "../common-options.ts"
import { ShardFailuresError } from "../errors.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { jsonLocation, shownLocation } from "../render/location.ts"
import { renderTable } from "../render/table.ts"
import { terminalSafe } from "../terminal-text.ts"

export const migrateHelp: CommandHelp = {
  name: "migrate",
  summary: "Apply pending migrations wherever the router allows them",
  details: [databaseOptionsDetail],
  options: [shardSelectionHelp, ...databaseOptionsHelp, jsonHelp, waitLockHelp]
}

export const migrateCommand = Command.make("migrate", { databases: databaseOptions, shard: shardSelection, json, waitLock }, (options) =>
  Effect.gen(function* () {
    const results = yield* migrate(options.shard).pipe(Effect.provide(appLayer(options.databases, { waitSeconds: options.waitLock })))
    if (options.json) {
      const plain = results.map((result) => ({
        ...result,
        location: jsonLocation(result.location),
        error: result.error === null ? null : redactSecrets(result.error.message)
      }))
      yield* Console.log(JSON.stringify(plain, null, 2))
    } else {
      const rows = results.map((result) => [
        result.database,
        result.location === null ? "" : terminalSafe(shownLocation(result.location)),
        result.error !== null
          ? terminalSafe(`failed: ${redactSecrets(result.error.reason)}`)
          : result.applied.length === 0
            ? "up to date"
            : result.applied.map((step) => `applied ${step.model} v${step.version} (${step.description})`).join("; ")
      ])
      yield* Console.log(renderTable(["SHARD", "LOCATION", "MIGRATIONS"], rows))
    }
    const failures = results.flatMap((result) => (result.error === null ? [] : [{ shard: result.database, message: result.error.message }]))
    if (failures.length > 0) return yield* new ShardFailuresError({ failures })
  })
).pipe(withHelp(migrateHelp))
