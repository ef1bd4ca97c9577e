import { listRecords } from "@distributed-insert/core"
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { appLayer } from "../app-layer.ts"
import { dataDir, displayPath, json } from "../common-options.ts"
import { renderTable } from "../render/table.ts"
import { style } from "../style.ts"

export const model = Args.text({ name: "MODEL" }).pipe(Args.withDescription("Model or shard name, e.g. User or users"))

const limit = Options.integer("limit").pipe(
  Options.withDescription("At most this many rows, in primary-key order"),
  Options.withDefault(50)
)

export const listCommand = Command.make("list", { model, limit, dataDir, json }, (options) =>
  Effect.gen(function* () {
    const page = yield* listRecords(options.model, { limit: options.limit }).pipe(Effect.provide(appLayer(options.dataDir)))
    if (options.json) return yield* Console.log(JSON.stringify(page.rows, null, 2))
    const header = Object.keys(page.rows[0] ?? {})
    yield* Console.log(style.dim(`${page.model} rows from ${displayPath(page.location)} (first ${options.limit}):`))
    yield* Console.log(page.rows.length === 0 ? "(no rows)" : renderTable(header, page.rows.map((row) => header.map((column) => printable(row[column])))))
  })
).pipe(Command.withDescription("List a model's rows, read from the shard the router picks for reads"))

export const printable = (value: unknown): string | number =>
  typeof value === "number" || typeof value === "string" ? value : value === null || value === undefined ? "NULL" : `<${String(value)}>`
