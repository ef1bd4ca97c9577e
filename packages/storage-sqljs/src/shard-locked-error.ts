import { Data } from "effect"

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
