import { closeSync, constants, fsync, ftruncateSync, openSync, writeSync } from "node:fs"
import { open, rm } from "node:fs/promises"
import { basename, dirname } from "node:path"
import { promisify } from "node:util"
import type { Row } from "@distributed-insert/shard"
import { codeOf, NotRegularFileError, openRegularFile } from "@distributed-insert/files"
import type { ConflictMode, RowOutcome, TableTarget } from "@distributed-insert/storage"
import { encodeFrame, encodeHeader, HEADER_BYTES, type ParsedJournal, parseJournal, type SnapshotId } from "./redo-format.ts"

/** The redo journal of the shard file `location`: a name of its own, which SQLite never reads. */
export const journalFileOf = (location: string): string => `${location}.redo`

/**
 * Frames are held in memory up to this many bytes, then written (not synced) to the file, so
 * that a load with rare checkpoints does not hold its whole journal in memory.
 */
const FLUSH_BYTES = 8 * 1024 * 1024

const fsyncAsync = promisify(fsync)

/**
 * The journal as found beside a shard file, or undefined when there is none. Anything but a
 * regular file there (a link, a FIFO) is refused, as a shard file would be: never followed,
 * never blocked on.
 */
export const readJournal = async (location: string): Promise<ParsedJournal | undefined> => {
  const path = journalFileOf(location)
  let opened: Awaited<ReturnType<typeof openRegularFile>>
  try {
    opened = await openRegularFile(path, { followLinks: false })
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined
    if (error instanceof NotRegularFileError) throw new Error(`${basename(path)} is ${error.kind}, where its redo journal belongs: remove it`)
    throw error
  }
  try {
    return parseJournal(await opened.file.readFile())
  } finally {
    await opened.file.close()
  }
}

/**
 * A writer's journal: the frames of the batches since the last snapshot, appended to
 * `<shard>.db.redo` and synced at each `commit`. It journals only while it knows the snapshot
 * on disk it applies to and nothing but rows changed since (a migration or a reset needs a
 * whole snapshot: `invalidate`).
 */
export class RedoJournal {
  private fd: number | undefined
  /** Bytes in the file (the header included). */
  private written = 0
  /** Bytes of the file that the last `commit` synced: what a failure or a close goes back to. */
  private committed = 0
  private held: Array<Uint8Array> = []
  private heldBytes = 0
  private valid: boolean
  private readonly path: string
  private base: SnapshotId | undefined

  private constructor(path: string, base: SnapshotId | undefined) {
    this.path = path
    this.base = base
    this.valid = base !== undefined
  }

  /** A writer's journal over the snapshot `base` (undefined: none on disk yet), with no file. */
  static fresh(location: string, base: SnapshotId | undefined): RedoJournal {
    return new RedoJournal(journalFileOf(location), base)
  }

  /**
   * A writer's journal that goes on with the file a previous run left, replayed over `base`: its
   * torn tail (bytes past `validBytes`) is cut off so that new frames follow the whole ones.
   */
  static resume(location: string, base: SnapshotId, validBytes: number): RedoJournal {
    const journal = new RedoJournal(journalFileOf(location), base)
    journal.fd = openSync(journal.path, constants.O_WRONLY | constants.O_NOFOLLOW)
    ftruncateSync(journal.fd, validBytes)
    journal.written = validBytes
    journal.committed = validBytes
    return journal
  }

  /** Bytes the journal holds or will hold once committed. */
  get bytes(): number {
    return this.written + this.heldBytes
  }

  /** Whether the next `commit` can append to the journal, rather than a whole snapshot be written. */
  get usable(): boolean {
    return this.valid
  }

  /** Records what a committed batch landed: its inserted and replaced rows, in order. */
  record(target: TableTarget, rows: ReadonlyArray<Row>, outcomes: ReadonlyArray<RowOutcome>, onConflict: ConflictMode): void {
    if (!this.valid) return
    const landed: Array<Row> = []
    for (let index = 0; index < rows.length; index++) {
      const tag = outcomes[index]?._tag
      if (tag === "Inserted" || tag === "Replaced") landed.push(rows[index] ?? [])
    }
    if (landed.length === 0) return
    const frame = encodeFrame({
      _tag: "Rows",
      table: target.table,
      columns: target.columns,
      primaryKey: target.primaryKey,
      onConflict: onConflict === "replace" ? "replace" : "fail",
      rows: landed
    })
    this.held.push(frame)
    this.heldBytes += frame.length
    if (this.heldBytes >= FLUSH_BYTES) {
      try {
        this.flush()
      } catch (error) {
        this.rollBack(error)
      }
    }
  }

  /** The database changed in a way rows cannot say (a migration, a reset): the next write is a snapshot. */
  invalidate(): void {
    this.valid = false
    this.held = []
    this.heldBytes = 0
  }

  /**
   * Makes every recorded frame durable: written, and the file synced (and its directory, when
   * new). A failure (a full disk) cuts the file back to what the last commit made durable, so
   * that the journal never holds rows the caller was told are not durable.
   */
  async commit(): Promise<void> {
    if (this.base === undefined) throw new Error("the redo journal has no snapshot to apply to")
    const created = this.fd === undefined
    try {
      this.flush()
      if (this.fd === undefined) return
      await fsyncAsync(this.fd)
      if (created) await syncDirectory(dirname(this.path))
      this.committed = this.written
    } catch (error) {
      this.rollBack(error)
    }
  }

  /**
   * Marks the journal stale before the snapshot `by` replaces the file it applies to: once it is
   * renamed in place, a journal a crash leaves behind is known to be in it already.
   */
  async supersede(by: SnapshotId): Promise<void> {
    this.held = []
    this.heldBytes = 0
    if (this.fd === undefined) return
    writeAll(this.fd, encodeFrame({ _tag: "Superseded", by }), this.written)
    await fsyncAsync(this.fd)
  }

  /** After the snapshot `by` is in place: the old journal goes, and new frames apply to `by`. */
  async rebase(by: SnapshotId): Promise<void> {
    this.close()
    await rm(this.path, { force: true })
    this.base = by
    this.valid = true
    this.written = 0
    this.committed = 0
  }

  /**
   * Closes the file, cut back to what the last commit made durable: frames written since (held
   * frames flushed between checkpoints) belong to batches the caller does not count as durable.
   * Only a kill leaves them, and then the file holds more than was reported, never less.
   */
  close(): void {
    const fd = this.fd
    if (fd === undefined) return
    this.fd = undefined
    try {
      if (this.written > this.committed) ftruncateSync(fd, this.committed)
    } finally {
      closeSync(fd)
    }
  }

  /** Cuts the file back to the last commit after `error`, and throws it (with the cut's own failure, if any). */
  private rollBack(error: unknown): never {
    this.held = []
    this.heldBytes = 0
    // Always cut: a write that failed half-way wrote bytes that `written` does not count.
    if (this.fd !== undefined) {
      try {
        ftruncateSync(this.fd, this.committed)
        this.written = this.committed
      } catch (cut) {
        throw new Error(`${reasonOf(error)} (and cutting ${this.path} back to its last checkpoint failed: ${reasonOf(cut)})`, { cause: error })
      }
    }
    throw error
  }

  /** Writes the held frames to the file (creating it, header first, if needed), without syncing. */
  private flush(): void {
    if (this.heldBytes === 0 || this.base === undefined) return
    if (this.fd === undefined) {
      // A leftover of a removal that a crash cut short is stale: it is replaced, never appended to.
      this.fd = openSync(this.path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644)
      writeAll(this.fd, encodeHeader(this.base), 0)
      this.written = HEADER_BYTES
    }
    const chunk = Buffer.concat(this.held, this.heldBytes)
    this.held = []
    this.heldBytes = 0
    writeAll(this.fd, chunk, this.written)
    this.written += chunk.length
  }
}

const writeAll = (fd: number, bytes: Uint8Array, position: number): void => {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done)
}

const syncDirectory = async (directory: string): Promise<void> => {
  const handle = await open(directory, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
