import { isAbsolute, relative, resolve } from "node:path"
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, Effect, Option } from "effect"
import type { OptionHelp } from "./help.ts"

/**
 * The directory the user ran the command from. `pnpm --filter cli start` runs scripts inside
 * apps/cli and passes the original directory as INIT_CWD; paths the user typed are theirs.
 */
export const invocationDir = (): string => process.env["INIT_CWD"] || process.cwd()

export const DATA_DIR_ENV = "DISTRIBUTED_INSERT_DATA_DIR"

export const dataDir = Options.text("data-dir").pipe(
  Options.withFallbackConfig(Config.string(DATA_DIR_ENV)),
  Options.optional,
  // Empty means unset (`DISTRIBUTED_INSERT_DATA_DIR=`), as for most variables: resolved, it would
  // be the current directory itself.
  Options.map((given) => resolve(invocationDir(), Option.getOrElse(Option.filter(given, (dir) => dir !== ""), () => "data")))
)
export const dataDirHelp: OptionHelp = {
  flag: "--data-dir DIR",
  description: "Directory of the shard files (<shard>.db), relative to where you ran the command",
  default: "./data",
  env: DATA_DIR_ENV
}

export const shardSelection = Options.text("shard").pipe(Options.repeated)
export const shardSelectionHelp: OptionHelp = {
  flag: "--shard NAME",
  description: "Only this shard, by shard or model name (any case); all shards when not given",
  repeatable: true
}

export const json = Options.boolean("json")
export const jsonHelp: OptionHelp = { flag: "--json", description: "Print only JSON on stdout" }

const badValue = (name: string, expected: string, given: string) =>
  ValidationError.invalidValue(HelpDoc.p(`--${name} takes ${expected}, not '${given}'`))

/**
 * An option whose value is a whole number of at least `min`. Parsed here rather than with
 * `Options.integer`, whose message says "is not a integer" and which takes any sign.
 */
export const wholeNumber = (name: string, min: number) =>
  Options.text(name).pipe(
    Options.mapEffect((text) => {
      const value = Number(text)
      const expected = min === Number.MIN_SAFE_INTEGER ? "an integer" : `a whole number, ${min} or more`
      return /^\s*[-+]?\d+\s*$/.test(text) && Number.isSafeInteger(value) && value >= min ? Effect.succeed(value) : Effect.fail(badValue(name, expected, text))
    })
  )

/** An option whose value is a number from `min` to `max` (fractions allowed). */
export const decimalNumber = (name: string, range: { readonly min: number; readonly max?: number; readonly expected: string }) =>
  Options.text(name).pipe(
    Options.mapEffect((text) => {
      const value = Number(text)
      const fits = text.trim() !== "" && Number.isFinite(value) && value >= range.min && (range.max === undefined || value <= range.max)
      return fits ? Effect.succeed(value) : Effect.fail(badValue(name, range.expected, text))
    })
  )

/** For the commands that write: how long to wait for another command writing the same shard. */
export const waitLock = decimalNumber("wait-lock", { min: 0, expected: "a number of seconds, 0 or more" }).pipe(Options.withDefault(0))
export const waitLockHelp: OptionHelp = {
  flag: "--wait-lock SECONDS",
  description: "When another command is writing a shard, wait up to SECONDS for it; 0 fails that shard at once",
  default: "0"
}

/** A path as the user would type it: relative to where they ran the command when inside it. */
export const displayPath = (path: string): string => {
  const shown = relative(invocationDir(), path)
  return shown === "" ? "." : shown.startsWith("..") || isAbsolute(shown) ? path : shown
}
