import { ValidationError } from "@effect/cli"
import { Cause, Exit, Option } from "effect"

/**
 * The documented exit codes: 0 the run completed (rejected records are results, not
 * failures, unless `--fail-on-reject`); 1 a shard could not be opened, migrated, read or
 * written, an input could not be read, a record was not found, or records were rejected with
 * `--fail-on-reject`; 2 bad usage (unknown option, command, shard or model, bad `--input`);
 * 130 interrupted.
 */
export const exitCodeOf = <A>(exit: Exit.Exit<A, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return 1
  return isUsageError(failure.value) ? 2 : 1
}

const usageErrors = new Set(["UnknownShardError", "UsageError"])

export const isUsageError = (error: unknown): boolean =>
  ValidationError.isValidationError(error) || (error instanceof Error && "_tag" in error && typeof error._tag === "string" && usageErrors.has(error._tag))
