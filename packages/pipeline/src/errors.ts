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
