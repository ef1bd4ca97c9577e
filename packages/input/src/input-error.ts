import { Data } from "effect"

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
