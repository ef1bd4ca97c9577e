import { Data } from "effect"

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
