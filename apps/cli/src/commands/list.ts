import { describeShards, listRecords } from "@distributed-insert/pipeline"
import { Console, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import { databaseOptions, databaseOptionsDetail, databaseOptionsHelp } from "../config/database-options.ts"
import { json, jsonHelp, wholeNumber } from "../common-options.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { shownLocation } from "../render/location.ts"
import { renderTable } from "../render/table.ts"
import { style } from "../style.ts"
import { terminalSafe } from "../terminal-text.ts"

export const model = Argument.String("MODEL")
export const modelHelp = { name: "MODEL", description: "Model or shard name, in any case: User, users" }

const DEFAULT_LIMIT = 50
const limit = wholeNumber("limit", 1).pipe(Flag.withDefault(DEFAULT_LIMIT))

export const listHelp: CommandHelp = {
  name: "list",
  summary: "List a model's rows in primary-key order, from the shard the router reads it from",
  details: [databaseOptionsDetail],
  args: [modelHelp],
  options: [{ flag: "--limit N", description: "At most N rows", default: String(DEFAULT_LIMIT) }, ...databaseOptionsHelp, jsonHelp],
  examples: ["distributed-insert list User --limit 3"]
}

/**
 * Whether `model`'s table exists where the router reads it: a shard that was never populated
 * or migrated has no data yet, which is worth saying rather than SQLite's "no such table".
 */
export const shardStatusOf = (model: string) => Effect.map(describeShards([model]), ([status]) => status)

/** `users has no data yet: data/users.db does not exist (populate or migrate creates it)` */
export const noDataYet = (status: { readonly shard: string; readonly location: string; readonly exists: boolean }): string =>
  `shard ${status.shard} has no data yet: ${shownLocation(status.location)} ${status.exists ? "has no table for it" : "does not exist"} (populate or migrate creates it)`

export const listCommand = Command.make("list", { model, limit, databases: databaseOptions, json }, (options) =>
  Effect.gen(function* () {
    const status = yield* shardStatusOf(options.model)
    if (status !== undefined && status.schemaVersion === 0) {
      if (options.json) return yield* Console.log("[]")
      return yield* Console.log(`${status.model}: ${terminalSafe(noDataYet(status))}`)
    }
    const page = yield* listRecords(options.model, { limit: options.limit })
    if (options.json) return yield* Console.log(JSON.stringify(page.rows, null, 2))
    const header = Object.keys(page.rows[0] ?? {})
    yield* Console.log(style.dim(`${page.model} rows from ${terminalSafe(shownLocation(page.location))} (first ${options.limit}):`))
    yield* Console.log(
      page.rows.length === 0
        ? "(no rows)"
        : renderTable(
            header.map((column) => terminalSafe(column)),
            page.rows.map((row) => header.map((column) => printable(row[column])))
          )
    )
  }).pipe(Effect.provide(appLayer(options.databases)))
).pipe(withHelp(listHelp))

/** A value as a table cell: numbers as they are, text with its control characters escaped, NULL for null. */
export const printable = (value: unknown): string | number =>
  typeof value === "number"
    ? value
    : typeof value === "string"
      ? terminalSafe(value)
      : value === null || value === undefined
        ? "NULL"
        : terminalSafe(`<${String(value)}>`)
