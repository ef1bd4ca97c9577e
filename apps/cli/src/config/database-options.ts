import { resolve } from "node:path"
import { Config, Option } from "effect"
import { Flag } from "effect/cli"
import { invocationDir } from "../common-options.ts"
import type { OptionHelp } from "../help.ts"
import { CONFIG_FILE_NAME } from "./config-file.ts"

export const DATA_DIR_ENV = "DISTRIBUTED_INSERT_DATA_DIR"

/**
 * `--data-dir DIR`, else `$DISTRIBUTED_INSERT_DATA_DIR`: the directory, resolved against where
 * the command runs, or none (the configuration file's `dataDir`, else `./data`, then decides).
 * Empty means unset (`DISTRIBUTED_INSERT_DATA_DIR=`), as for most variables: resolved, it would
 * be the current directory itself.
 */
const dataDir = Flag.String("data-dir").pipe(
  Flag.withFallbackConfig(Config.String(DATA_DIR_ENV)),
  Flag.optional,
  Flag.map((given) => Option.map(Option.filter(given, (dir) => dir !== ""), (dir) => resolve(invocationDir(), dir)))
)

/** `--config FILE`, as given: read instead of `./distributed-insert.config.json` (config-file.ts). */
const config = Flag.String("config").pipe(Flag.optional)

/** `--database NAME=LOCATION`, as given, any number of times (resolve-databases.ts reads them). */
const database = Flag.String("database").pipe(Flag.atLeast(0))

/**
 * Where the databases are, for every command that opens them: the flags as given, which
 * `resolveDatabases` turns into each database's location.
 */
export const databaseOptions = { dataDir, config, database }
export type DatabaseFlags = {
  readonly dataDir: Option.Option<string>
  readonly config: Option.Option<string>
  readonly database: ReadonlyArray<string>
}

export const databaseOptionsHelp: ReadonlyArray<OptionHelp> = [
  {
    flag: "--database NAME=LOCATION",
    description: "Where database NAME is: a SQLite file path (relative to where you ran the command) or a postgres:// URL; overrides the config file",
    repeatable: true
  },
  { flag: "--config FILE", description: "Configuration file to read instead of the one in the current directory, if any" },
  {
    flag: "--data-dir DIR",
    description: "Directory of the databases no location is given for (<name>.db), relative to where you ran the command",
    default: "the config file's dataDir, else ./data",
    env: DATA_DIR_ENV
  }
]

/**
 * Where the databases are, for the help of every command that opens them: the option column is
 * too narrow for the file's name (help.ts wraps it at spaces only).
 */
export const databaseOptionsDetail =
  `Where each database is: --database NAME=LOCATION, else the configuration file (${CONFIG_FILE_NAME} in the current directory, or --config FILE), ` +
  "else <data-dir>/<name>.db. A location is a SQLite file path or a postgres:// URL, whose password is never shown."
