import { getRecord } from "@distributed-insert/core"
import { Args, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { appLayer } from "../app-layer.ts"
import { dataDir, json } from "../common-options.ts"
import { model, printable } from "./list.ts"

const id = Args.text({ name: "ID" }).pipe(Args.withDescription("The record's primary key"))

export const getCommand = Command.make("get", { model, id, dataDir, json }, (options) =>
  Effect.gen(function* () {
    const row = yield* getRecord(options.model, options.id).pipe(Effect.provide(appLayer(options.dataDir)))
    if (options.json) return yield* Console.log(JSON.stringify(row, null, 2))
    const width = Math.max(...Object.keys(row).map((column) => column.length))
    yield* Console.log(Object.entries(row).map(([column, value]) => `${column.padEnd(width)}  ${printable(value)}`).join("\n"))
  })
).pipe(Command.withDescription("Show one record by primary key, read from the shard the router picks for reads"))
