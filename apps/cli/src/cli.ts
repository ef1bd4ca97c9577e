import { Effect, Layer } from "effect"
import { CliConfig, CliOutput, Command } from "effect/cli"
import packageJson from "../package.json" with { type: "json" }
import { checkCommand, checkHelp } from "./commands/check.ts"
import { generateCommand, generateHelp } from "./commands/generate.ts"
import { getCommand, getHelp } from "./commands/get.ts"
import { listCommand, listHelp } from "./commands/list.ts"
import { migrateCommand, migrateHelp } from "./commands/migrate.ts"
import { populateCommand, populateHelp } from "./commands/populate.ts"
import { shardsCommand, shardsHelp } from "./commands/shards.ts"
import { BUILT_IN_FLAGS, type CommandHelp, PROGRAM, presenter } from "./help.ts"

const DESCRIPTION = "Validate records and insert them concurrently into one database (shard) per model, in SQLite files or on PostgreSQL servers"

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

export const root = Command.make(PROGRAM).pipe(
  Command.withDescription(DESCRIPTION),
  Command.withSubcommands([populateCommand, generateCommand, migrateCommand, shardsCommand, checkCommand, listCommand, getCommand])
)

/** How effect/cli runs this CLI: its built-in flags and its presenter of help, version and usage errors. */
export const cliLayer = Layer.mergeAll(
  CliConfig.layer({ builtIns: BUILT_IN_FLAGS }),
  CliOutput.layerPresenter(presenter(helps, { description: DESCRIPTION, version: packageJson.version }))
)

/**
 * Parses `args` (the command line after the node and script paths) and runs the chosen
 * command. Help, the version and usage errors are presented on the way (see help.ts); bad
 * usage fails with effect/cli's `ShowHelp`, whose errors say what was wrong.
 */
export const cli = (args: ReadonlyArray<string>) => Command.runWith(root, { version: packageJson.version })(args).pipe(Effect.provide(cliLayer))
