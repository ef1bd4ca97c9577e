import { closeSync, fsyncSync, openSync, writeSync } from "node:fs"
import { ReportError } from "./errors.ts"

/**
 * Appends lines to a file through a large buffer with synchronous writes: the pipeline's
 * loop calls it once per record, so it must not allocate a promise per line. Sync writes are
 * fine here: they happen once per megabyte, between batches of the same loop.
 */
export interface LineLog {
  readonly append: (line: string) => void
  /** Writes what is buffered, fsyncs and closes; the log is complete on disk after it. */
  readonly close: () => void
}

const FLUSH_AT = 1 << 20

/** Opens (truncating) `path`; every failure, now or on a later write, is a `ReportError` naming it. */
export const openLineLog = (path: string): LineLog => {
  const failed = (cause: unknown) => new ReportError({ path, reason: cause instanceof Error ? cause.message : String(cause) })
  const guarded =
    <A extends ReadonlyArray<unknown>>(work: (...args: A) => void) =>
    (...args: A): void => {
      try {
        work(...args)
      } catch (cause) {
        throw failed(cause)
      }
    }
  const fd = (() => {
    try {
      return openSync(path, "w", 0o644)
    } catch (cause) {
      throw failed(cause)
    }
  })()
  let pending: Array<string> = []
  let pendingBytes = 0
  let closed = false
  const flush = () => {
    if (pending.length === 0) return
    writeSync(fd, pending.join(""))
    pending = []
    pendingBytes = 0
  }
  return {
    append: guarded((line: string) => {
      pending.push(line, "\n")
      pendingBytes += line.length + 1
      if (pendingBytes >= FLUSH_AT) flush()
    }),
    // Closing twice is closing once: a shard whose close failed (a full disk) closes its logs
    // again on its failure path, and must not add a spurious EBADF to the real error.
    close: guarded(() => {
      if (closed) return
      closed = true
      try {
        flush()
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
    })
  }
}
