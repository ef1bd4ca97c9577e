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
