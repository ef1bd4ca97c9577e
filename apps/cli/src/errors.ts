import { Data } from "effect"

/** `populate` or `migrate` completed, but some shard could not be opened, migrated or written. */
export class ShardFailuresError extends Data.TaggedError("ShardFailuresError")<{
  readonly failures: ReadonlyArray<{ readonly shard: string; readonly message: string }>
}> {
  override get message(): string {
    return this.failures.map((failure) => `shard ${failure.shard}: ${failure.message}`).join("\n")
  }
}
