import { mkdtemp, rm, statfs } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Data, Effect } from "effect"

/** The run's temp folder cannot be made where the OS says temp files go (TMPDIR): exit 1, one line. */
export class TempDirError extends Data.TaggedError("TempDirError")<{
  readonly dir: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `cannot use the temp folder ${this.dir} (set by TMPDIR, or the system default): ${this.reason}`
  }
}

/**
 * Below this much free space the temp folder is taken as full: the result logs are written a
 * megabyte at a time, so the first flush of every shard would fail, after the load had begun.
 */
const LEAST_FREE_BYTES = 4 * 1024 * 1024

const reasonOf = (cause: unknown) => {
  if (cause instanceof Error && "code" in cause) {
    if (cause.code === "ENOENT") return "it does not exist"
    if (cause.code === "ENOSPC") return "no space left on the device"
    if (cause.code === "EACCES" || cause.code === "EPERM") return "permission denied"
    if (cause.code === "EROFS") return "read-only file system"
  }
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * A private temp folder for one run's spools, removed when the run's scope closes, whatever
 * happened. Made before any shard is locked or loaded, so that a missing or full temp folder
 * is one clear error rather than every shard failing on its way.
 */
export const runDir = Effect.acquireRelease(
  Effect.gen(function* () {
    const base = tmpdir()
    const fail = (cause: unknown) => new TempDirError({ dir: base, reason: reasonOf(cause), cause })
    const free = yield* Effect.tryPromise({ try: () => statfs(base), catch: fail })
    if (free.bavail * free.bsize < LEAST_FREE_BYTES) {
      return yield* new TempDirError({ dir: base, reason: `it is full (${Math.floor((free.bavail * free.bsize) / 1024)} kB free)` })
    }
    return yield* Effect.tryPromise({ try: () => mkdtemp(join(base, "distributed-insert-")), catch: fail })
  }),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)
