import { Data } from "effect"
import { displayPath } from "../common-options.ts"

/**
 * A configuration file that cannot be used: missing (when `--config` names it), unreadable, not
 * JSON, or saying something this program does not take (an unknown key, a location that is
 * not one, a database no shard uses). The user's to fix: bad usage, exit code 2.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  /** The file's absolute path. */
  readonly file: string
  /** What is wrong, naming the key at fault when there is one (`databases.users: ...`). */
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `config file ${displayPath(this.file)}: ${this.reason}`
  }
}
