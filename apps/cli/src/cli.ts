import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import packageJson from "../package.json" with { type: "json" }
import { checkCommand, checkHelp } from "./commands/check.ts"
import { generateCommand, generateHelp } from "./commands/generate.ts"
import { getCommand, getHelp } from "./commands/get.ts"
import { listCommand, listHelp } from "./commands/list.ts"
import { migrateCommand, migrateHelp } from "./commands/migrate.ts"
import { populateCommand, populateHelp } from "./commands/populate.ts"
import { shardsCommand, shardsHelp } from "./commands/shards.ts"
import { type CommandHelp, helpRequest, PROGRAM, renderCommandHelp, renderRootHelp } from "./help.ts"

const DESCRIPTION = "Validate records and insert them concurrently into one SQLite shard per model"

/** The commands, in the order `--help` lists them. */
export const commands = [
  { command: populateCommand, help: populateHelp },
  { command: generateCommand, help: generateHelp },
  { command: migrateCommand, help: migrateHelp },
  { command: shardsCommand, help: shardsHelp },
  { command: checkCommand, help: checkHelp },
  { command: listCommand, help: listHelp },
  { command: getCommand, help: getHelp }
] as const

const helps: ReadonlyArray<CommandHelp> = commands.map((entry) => entry.help)

const root = Command.make(PROGRAM).pipe(
  Command.withDescription(DESCRIPTION),
  Command.withSubcommands([populateCommand, generateCommand, migrateCommand, shardsCommand, checkCommand, listCommand, getCommand])
)

const run = Command.run(root, { name: PROGRAM, version: packageJson.version })

/**
 * Parses `argv` (with the node and script paths first) and runs the chosen command; `--help`
 * and `--version` are answered here (see help.ts).
 */
export const cli = (argv: ReadonlyArray<string>) => {
  const request = helpRequest(argv.slice(2), helps)
  const columns = process.stdout.columns
  switch (request._tag) {
    case "Version":
      return Console.log(`${PROGRAM} ${packageJson.version}`)
    case "RootHelp":
      return Console.log(renderRootHelp(helps, { description: DESCRIPTION, version: packageJson.version }, columns))
    case "CommandHelp":
      return Console.log(renderCommandHelp(request.command, columns))
    case "None":
      return Effect.suspend(() => run([...argv]))
  }
}
