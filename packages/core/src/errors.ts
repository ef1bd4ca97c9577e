import { Data } from "effect"

/** A model that no router (nor the default one) sends to a registered shard database. */
export class UnroutableModelError extends Data.TaggedError("UnroutableModelError")<{
  readonly model: string
  readonly operation: "read" | "write"
  readonly reason: string
}> {
  override get message(): string {
    return `cannot route ${this.operation} of model ${this.model}: ${this.reason}`
  }
}

/** A model or shard name that is not among the registered shards. */
export class UnknownShardError extends Data.TaggedError("UnknownShardError")<{
  readonly name: string
  readonly known: ReadonlyArray<string>
}> {
  override get message(): string {
    return `unknown shard or model "${this.name}" (known: ${this.known.join(", ")})`
  }
}

/** Two shard plugins that claim the same shard name, model or file. */
export class ShardRegistryError extends Data.TaggedError("ShardRegistryError")<{
  readonly reason: string
}> {
  override get message(): string {
    return `invalid shard registry: ${this.reason}`
  }
}

/** What the storage was doing when it failed. */
export type StorageOperation = "open" | "lock" | "migrate" | "insert" | "read" | "persist"

/**
 * A shard database that could not be opened, migrated, read or written.
 * `location` names the file (or server) so the user knows what to look at.
 */
export class StorageError extends Data.TaggedError("StorageError")<{
  readonly shard: string
  readonly location: string
  readonly operation: StorageOperation
  readonly reason: string
  /** What failed underneath (a file system error, SQLite's, a `ShardLockedError`), when there was something. */
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.operation} failed for shard ${this.shard} (${this.location}): ${this.reason}`
  }
}

/** A `get` for a primary key that is not in the model's shard. */
export class RecordNotFoundError extends Data.TaggedError("RecordNotFoundError")<{
  readonly model: string
  readonly id: string
  readonly shard: string
}> {
  override get message(): string {
    return `${this.model} ${this.id} not found in shard ${this.shard}`
  }
}

/** An input that cannot be read at all: missing file, unknown format, I/O error mid-stream. */
export class InputError extends Data.TaggedError("InputError")<{
  /** The path as given, or `stdin`. */
  readonly origin: string
  readonly reason: string
  /** The error it was made from, when there was one (a failed `stat` or read). */
  readonly cause?: unknown
}> {
  override get message(): string {
    return `cannot read input ${this.origin}: ${this.reason}`
  }
}

/**
 * `generate` asked of a shard that cannot make synthetic records: it declares no generators
 * (`rules` is then empty), or none for the listed rules.
 */
export class GeneratorsMissingError extends Data.TaggedError("GeneratorsMissingError")<{
  readonly shard: string
  readonly rules: ReadonlyArray<string>
}> {
  override get message(): string {
    return this.rules.length === 0
      ? `shard ${this.shard} declares no generators, so it cannot generate data`
      : `shard ${this.shard} has no invalid generator for rule ${this.rules.join(", ")}`
  }
}

/** A generated data file that could not be written; `path` is the file the user asked for. */
export class GeneratedFileError extends Data.TaggedError("GeneratedFileError")<{
  readonly shard: string
  readonly path: string
  readonly reason: string
  /** The underlying failure, when there was one. */
  readonly cause?: unknown
}> {
  override get message(): string {
    return `cannot write the generated data of shard ${this.shard} to ${this.path}: ${this.reason}`
  }
}

/** A result file (`--report`, the rejected-records log) that could not be written. */
export class ReportError extends Data.TaggedError("ReportError")<{
  readonly path: string
  readonly reason: string
  /** The underlying failure, when there was one. */
  readonly cause?: unknown
}> {
  override get message(): string {
    return `cannot write results to ${this.path}: ${this.reason}`
  }
}

/**
 * A shard file whose single-writer lock another live process holds (see shard-lock.ts):
 * `holder` says which process, on which host, since when; `waitedSeconds` how long this one
 * waited before giving up (0: it did not wait).
 */
export class ShardLockedError extends Data.TaggedError("ShardLockedError")<{
  readonly shard: string
  /** The shard file. */
  readonly location: string
  readonly lockFile: string
  readonly holder: { readonly pid: number; readonly since: string; readonly hostname: string }
  readonly waitedSeconds: number
}> {
  /** Who holds the lock, without naming the shard: for messages that already do. */
  get reason(): string {
    const { pid, hostname, since } = this.holder
    const waited = this.waitedSeconds > 0 ? `; gave up after waiting ${this.waitedSeconds} s` : ""
    return `locked by process ${pid} on ${hostname} since ${since}, which is writing it (lock file ${this.lockFile})${waited}`
  }

  override get message(): string {
    return `shard ${this.shard} (${this.location}) is ${this.reason}`
  }
}
