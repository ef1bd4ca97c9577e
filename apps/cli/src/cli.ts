import { Command } from "@effect/cli"
import packageJson from "../package.json" with { type: "json" }
import { checkCommand } from "./commands/check.ts"
import { generateCommand } from "./commands/generate.ts"
import { getCommand } from "./commands/get.ts"
import { listCommand } from "./commands/list.ts"
import { migrateCommand } from "./commands/migrate.ts"
import { populateCommand } from "./commands/populate.ts"
import { shardsCommand } from "./commands/shards.ts"

const root = Command.make("distributed-insert").pipe(
  Command.withDescription("Validate records and insert them concurrently into one SQLite shard per model"),
  Command.withSubcommands([populateCommand, generateCommand, migrateCommand, shardsCommand, checkCommand, listCommand, getCommand])
)

/** Parses `argv` (without the node and script paths) and runs the chosen command. */
export const cli = Command.run(root, { name: "distributed-insert", version: packageJson.version })
