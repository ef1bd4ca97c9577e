import { isAbsolute, relative, resolve } from "node:path"
import { Options } from "@effect/cli"
import { Config, Option } from "effect"

/**
 * The directory the user ran the command from. `pnpm --filter cli start` runs scripts inside
 * apps/cli and passes the original directory as INIT_CWD; paths the user typed are theirs.
 */
export const invocationDir = (): string => process.env["INIT_CWD"] ?? process.cwd()

export const dataDir = Options.text("data-dir").pipe(
  Options.withDescription("Directory of the shard files (<shard>.db); default ./data where you ran the command"),
  Options.withFallbackConfig(Config.string("DISTRIBUTED_INSERT_DATA_DIR")),
  Options.optional,
  // Empty means unset (`DISTRIBUTED_INSERT_DATA_DIR=`), as for most variables: resolved, it would
  // be the current directory itself.
  Options.map((given) => resolve(invocationDir(), Option.getOrElse(Option.filter(given, (dir) => dir !== ""), () => "data")))
)

export const shardSelection = Options.text("shard").pipe(
  Options.withDescription("Only this shard (by shard or model name); repeat for several. Default: all"),
  Options.repeated
)

export const json = Options.boolean("json").pipe(Options.withDescription("Print only the JSON report on stdout"))

/** For the commands that write: how long to wait for another command writing the same shard. */
export const waitLock = Options.float("wait-lock").pipe(
  Options.withDescription("When another command is writing a shard, wait up to SECONDS for it (default 0: fail that shard at once)"),
  Options.withDefault(0),
  Options.filterMap((seconds) => (Number.isFinite(seconds) && seconds >= 0 ? Option.some(seconds) : Option.none()), "--wait-lock takes a number of seconds, 0 or more")
)

/** A path as the user would type it: relative to where they ran the command when inside it. */
export const displayPath = (path: string): string => {
  const shown = relative(invocationDir(), path)
  return shown === "" ? "." : shown.startsWith("..") || isAbsolute(shown) ? path : shown
}
