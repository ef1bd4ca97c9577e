import { Data } from "effect"

/** `populate` or `migrate` completed, but some shard could not be opened, migrated, read or written. */
export class ShardFailuresError extends Data.TaggedError("ShardFailuresError")<{
  readonly failures: ReadonlyArray<{ readonly shard: string; readonly message: string }>
}> {
  override get message(): string {
    return this.failures.map((failure) => `shard ${failure.shard}: ${failure.message}`).join("\n")
  }
}

/** `populate --fail-on-reject` completed and some records were rejected. */
export class RejectedRecordsError extends Data.TaggedError("RejectedRecordsError")<{
  readonly rejected: number
}> {
  override get message(): string {
    return `${this.rejected} record(s) were rejected (--fail-on-reject)`
  }
}

/** A command line that parses but makes no sense, e.g. `--input` without `SHARD=`. */
export class UsageError extends Data.TaggedError("UsageError")<{
  readonly reason: string
}> {
  override get message(): string {
    return this.reason
  }
}

/** `get` from a shard that was never populated or migrated: nothing can be found there yet (exit 1). */
export class NoDataYetError extends Data.TaggedError("NoDataYetError")<{
  /** What was looked for: `User 3`. */
  readonly wanted: string
  /** Why there is nothing: the shard's file does not exist, or has no table for the model. */
  readonly reason: string
}> {
  override get message(): string {
    return `${this.wanted} not found: ${this.reason}`
  }
}
