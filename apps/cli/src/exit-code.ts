import { Cause, Exit, Option } from "effect"
import { CliError } from "effect/cli"

/**
 * The documented exit codes: 0 the run completed (rejected records are results, not
 * failures, unless `--fail-on-reject`); 1 a shard could not be opened, migrated, read or
 * written, an input could not be read, a record was not found, or records were rejected with
 * `--fail-on-reject`; 2 bad usage (unknown option, command, shard or model, bad `--input`, a
 * configuration file or `--database` that cannot be used);
 * 130 interrupted.
 */
export const exitCodeOf = <A>(exit: Exit.Exit<A, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.hasInterruptsOnly(exit.cause)) return 130
  const failure = Cause.findErrorOption(exit.cause)
  if (Option.isNone(failure)) return 1
  // effect/cli ends with ShowHelp when it showed help instead of running a command: without
  // errors that is help shown (no command given), with errors it is bad usage. Its own code
  // for the latter is 1, which this CLI has always kept for failures that are not the user's.
  if (isShowHelp(failure.value)) return failure.value.errors.length === 0 ? 0 : 2
  return isUsageError(failure.value) ? 2 : 1
}

/** effect/cli's help-or-usage-error outcome, already presented (see help.ts). */
export const isShowHelp = (error: unknown): error is CliError.ShowHelp => CliError.isCliError(error) && error._tag === "ShowHelp"

/** Failures of the commands themselves that are the user's to fix: exit 2, with a pointer to the help. */
const usageErrors = new Set(["UnknownShardError", "UsageError", "ConfigError"])

export const isUsageError = (error: unknown): boolean =>
  CliError.isCliError(error) || (error instanceof Error && "_tag" in error && typeof error._tag === "string" && usageErrors.has(error._tag))
