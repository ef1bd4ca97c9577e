import { isAbsolute, relative } from "node:path"
import { Option } from "effect"
import { Flag } from "effect/cli"
import type { OptionHelp } from "./help.ts"

/**
 * The directory the user ran the command from. `pnpm --filter cli start` runs scripts inside
 * apps/cli and passes the original directory as INIT_CWD; paths the user typed are theirs.
 */
export const invocationDir = (): string => process.env["INIT_CWD"] || process.cwd()

export const shardSelection = Flag.String("shard").pipe(Flag.atLeast(0))
export const shardSelectionHelp: OptionHelp = {
  flag: "--shard NAME",
  description: "Only this shard, by shard or model name (any case); all shards when not given",
  repeatable: true
}

/** A flag that is on when given, off when not (effect/cli's booleans are otherwise required). */
export const toggle = (name: string) => Flag.Boolean(name).pipe(Flag.withDefault(false))

export const json = toggle("json")
export const jsonHelp: OptionHelp = { flag: "--json", description: "Print only JSON on stdout" }

/**
 * An option whose value is a whole number of at least `min`. Parsed here rather than with
 * `Flag.Int`, which takes any sign; a refusal is an `InvalidValue` whose `expected` reads
 * after "--name takes" (see `usageMessage` in help.ts).
 */
export const wholeNumber = (name: string, min: number) =>
  Flag.String(name).pipe(
    Flag.filterMap(
      (text) => {
        const value = Number(text)
        return /^\s*[-+]?\d+\s*$/.test(text) && Number.isSafeInteger(value) && value >= min ? Option.some(value) : Option.none()
      },
      () => (min === Number.MIN_SAFE_INTEGER ? "an integer" : `a whole number, ${min} or more`)
    )
  )

/** An option whose value is a number from `min` to `max` (fractions allowed). */
export const decimalNumber = (name: string, range: { readonly min: number; readonly max?: number; readonly expected: string }) =>
  Flag.String(name).pipe(
    Flag.filterMap(
      (text) => {
        const value = Number(text)
        const fits = text.trim() !== "" && Number.isFinite(value) && value >= range.min && (range.max === undefined || value <= range.max)
        return fits ? Option.some(value) : Option.none()
      },
      () => range.expected
    )
  )

/** For the commands that write: how long to wait for another command writing the same shard. */
export const waitLock = decimalNumber("wait-lock", { min: 0, expected: "a number of seconds, 0 or more" }).pipe(Flag.withDefault(0))
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
