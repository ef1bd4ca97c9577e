import { closeSync, fsyncSync, openSync, readSync, writeSync } from "node:fs"
import { openRegularFileSync } from "@distributed-insert/files"
import { ReportError } from "./errors.ts"
import { notPersistedResult } from "./not-persisted.ts"
import type { RecordResult } from "./report.ts"

/**
 * One shard's lines of `--report FILE`, written so that the file says what is durable at every
 * moment, even after a SIGKILL: a record's result line is held back (in memory, then in a spool
 * file) until the database holding it has been persisted; then the held lines are appended to
 * the report, followed by a checkpoint marker `{"shard":…,"checkpoint":{"through":N,"at":…}}`.
 *
 * Several shards (fibers or worker threads) append to the same report file, each through its
 * own descriptor opened with O_APPEND: every write is one whole run of lines, and a write to a
 * regular file in append mode lands contiguously, so lines of different shards never mix.
 */
export interface DurableResults {
  readonly append: (line: string) => void
  /** Records 1..`through` are durable: publishes the held lines, then the checkpoint marker. */
  readonly durable: (through: number) => void
  /** The held records did not land: publishes their lines rewritten as `not-persisted`. */
  readonly abandon: (reason: string) => void
  readonly close: () => void
}

export interface DurableResultsFiles {
  /** The shared report file, created by the caller; appended to only. */
  readonly path: string
  /** A private file for the lines held back once they outgrow memory. */
  readonly spool: string
}

/** Held lines spill to the spool beyond this many characters; published in chunks of this size too. */
const CHUNK = 1 << 20

export const openDurableResults = (shard: string, files: DurableResultsFiles): DurableResults => {
  const failed = (path: string) => (cause: unknown) =>
    cause instanceof ReportError ? cause : new ReportError({ path, reason: cause instanceof Error ? cause.message : String(cause) })
  const guard = <A>(path: string, work: () => A): A => {
    try {
      return work()
    } catch (cause) {
      throw failed(path)(cause)
    }
  }
  // Not a plain open: a FIFO put in the report's place would block this thread for good.
  const report = guard(files.path, () => openRegularFileSync(files.path, { followLinks: true, mode: "append" }))
  let spool: number | null = null
  // Bytes of held lines in the spool, from its start; the file is reused, never truncated.
  let spooled = 0
  let held: Array<string> = []
  let heldChars = 0

  const spill = () => {
    const text = held.join("")
    held = []
    heldChars = 0
    guard(files.spool, () => {
      if (spool === null) spool = openSync(files.spool, "w+", 0o600)
      spooled += writeFully(spool, Buffer.from(text, "utf8"), spooled)
    })
  }
  const appendToReport = (bytes: Buffer) => guard(files.path, () => writeFully(report, bytes, null))
  /** Moves every held line to the report, through `rewrite`, whole lines per write. */
  const publish = (rewrite: (text: string) => string) => {
    if (spool !== null && spooled > 0) {
      const from = spool
      let carry = Buffer.alloc(0)
      for (let offset = 0; offset < spooled; ) {
        const chunk = Buffer.alloc(Math.min(CHUNK, spooled - offset))
        const read = guard(files.spool, () => readSync(from, chunk, 0, chunk.length, offset))
        if (read === 0) throw failed(files.spool)(new Error(`spool ended at ${offset} of ${spooled} bytes`))
        offset += read
        const bytes = Buffer.concat([carry, chunk.subarray(0, read)])
        const end = bytes.lastIndexOf(0x0a) + 1
        if (end > 0) appendToReport(Buffer.from(rewrite(bytes.subarray(0, end).toString("utf8")), "utf8"))
        carry = bytes.subarray(end)
      }
      if (carry.length > 0) throw failed(files.spool)(new Error("spool ends mid-line"))
      spooled = 0
    }
    if (held.length > 0) appendToReport(Buffer.from(rewrite(held.join("")), "utf8"))
    held = []
    heldChars = 0
  }

  return {
    append: (line) => {
      held.push(line, "\n")
      heldChars += line.length + 1
      if (heldChars >= CHUNK) spill()
    },
    durable: (through) => {
      publish((text) => text)
      appendToReport(Buffer.from(`${JSON.stringify({ shard, checkpoint: { through, at: new Date().toISOString() } })}\n`, "utf8"))
      guard(files.path, () => fsyncSync(report))
    },
    abandon: (reason) => {
      publish((text) => rewriteNotPersisted(text, reason))
      guard(files.path, () => fsyncSync(report))
    },
    close: () => {
      const openSpool = spool
      try {
        guard(files.path, () => closeSync(report))
      } finally {
        if (openSpool !== null) guard(files.spool, () => closeSync(openSpool))
      }
    }
  }
}

/** Writes all of `bytes` (at `position`, or appending when null); returns how many. */
const writeFully = (fd: number, bytes: Buffer, position: number | null): number => {
  const written = writeSync(fd, bytes, 0, bytes.length, position)
  // A short write to a regular file means the disk is full; the rest would land torn.
  if (written !== bytes.length) throw new Error(`short write: ${written} of ${bytes.length} bytes (disk full?)`)
  return written
}

const rewriteNotPersisted = (text: string, reason: string): string =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const { shard, ...result }: { readonly shard: string } & RecordResult = JSON.parse(line)
      return `${JSON.stringify({ shard, ...notPersistedResult(result, reason) })}\n`
    })
    .join("")
