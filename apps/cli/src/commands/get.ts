import { getRecord } from "@distributed-insert/pipeline"
import { Console, Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import { databaseOptions, databaseOptionsDetail, databaseOptionsHelp } from "../config/database-options.ts"
import { json, jsonHelp } from "../common-options.ts"
import { NoDataYetError } from "../errors.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { terminalSafe } from "../terminal-text.ts"
import { model, modelHelp, noDataYet, printable, shardStatusOf } from "./list.ts"

const id = Argument.String("ID")

export const getHelp: CommandHelp = {
  name: "get",
  summary: "Show one record by primary key, from the shard the router reads its model from",
  details: ["Exits 1 when there is no such record.", databaseOptionsDetail],
  args: [modelHelp, { name: "ID", description: "The record's primary key" }],
  options: [...databaseOptionsHelp, jsonHelp],
  examples: ["distributed-insert get Product 2"]
}

export const getCommand = Command.make("get", { model, id, databases: databaseOptions, json }, (options) =>
  Effect.gen(function* () {
    const status = yield* shardStatusOf(options.model)
    if (status !== undefined && status.schemaVersion === 0) {
      return yield* new NoDataYetError({ wanted: `${status.model} ${options.id}`, reason: noDataYet(status) })
    }
    const row = yield* getRecord(options.model, options.id)
    if (options.json) return yield* Console.log(JSON.stringify(row, null, 2))
    const width = Math.max(...Object.keys(row).map((column) => terminalSafe(column).length))
    yield* Console.log(
      Object.entries(row)
        .map(([column, value]) => `${terminalSafe(column).padEnd(width)}  ${printable(value)}`)
        .join("\n")
    )
  }).pipe(Effect.provide(appLayer(options.databases)))
).pipe(withHelp(getHelp))
