import { closeSync, constants, fstatSync, openSync, type Stats } from "node:fs"
import { type FileHandle, open } from "node:fs/promises"
import { Data } from "effect"

/**
 * Opening a path without looking at what it is can block forever: `open()` of a FIFO waits for
 * its other end, in a thread of libuv's pool, where nothing can cancel it, and Node's
 * `process.exit` then waits for that thread too, so not even Ctrl-C or SIGTERM ends the
 * process. Files this program keeps (shard files, locks, SQLite's journals, the report) are
 * therefore opened with O_NONBLOCK, which returns at once whatever the file is, and refused
 * unless the descriptor they got is a regular file (O_NONBLOCK changes nothing for a regular
 * file's reads and writes). Checking the descriptor rather than the path first leaves no gap in
 * which the path could be swapped for something else.
 */

/** A path that is there but is not a regular file, or is a symbolic link where none is allowed. */
export class NotRegularFileError extends Data.TaggedError("NotRegularFileError")<{
  readonly path: string
  /** What it is instead: "a FIFO (named pipe)", "a symbolic link", ... */
  readonly kind: string
}> {
  override get message(): string {
    return `${this.path} is ${this.kind}, not a regular file`
  }
}

export interface OpenRegularOptions {
  /** Follow a symbolic link at `path` (true), or refuse it (false): O_NOFOLLOW. */
  readonly followLinks: boolean
  /** Read only (default), or append, creating the file when missing. */
  readonly mode?: "read" | "append"
}

/** Opens `path` without ever blocking and returns it with its status, or fails if it is not a regular file. */
export const openRegularFile = async (path: string, options: OpenRegularOptions): Promise<{ readonly file: FileHandle; readonly stats: Stats }> => {
  let file: FileHandle
  try {
    file = await open(path, flagsOf(options), 0o644)
  } catch (error) {
    throw explainOpenError(path, options, error)
  }
  try {
    const stats = await file.stat()
    if (!stats.isFile()) throw new NotRegularFileError({ path, kind: kindOf(stats) })
    return { file, stats }
  } catch (error) {
    await file.close()
    throw error
  }
}

const flagsOf = (options: OpenRegularOptions): number =>
  (options.mode === "append" ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT : constants.O_RDONLY) |
  constants.O_NONBLOCK |
  (options.followLinks ? 0 : constants.O_NOFOLLOW)

const explainOpenError = (path: string, options: OpenRegularOptions, error: unknown): unknown => {
  // With O_NOFOLLOW, ELOOP means the last component is a link (dangling or not).
  if (!options.followLinks && codeOf(error) === "ELOOP") return new NotRegularFileError({ path, kind: "a symbolic link" })
  // O_NONBLOCK makes opening a FIFO for writing with no reader fail at once, with ENXIO.
  if (codeOf(error) === "ENXIO") return new NotRegularFileError({ path, kind: "a FIFO (named pipe) or a socket" })
  return error
}

/** What a file that is not a regular one is, for a message. */
export const kindOf = (stats: Pick<Stats, "isDirectory" | "isFIFO" | "isSocket" | "isCharacterDevice" | "isBlockDevice" | "isSymbolicLink">): string => {
  if (stats.isDirectory()) return "a directory"
  if (stats.isFIFO()) return "a FIFO (named pipe)"
  if (stats.isSocket()) return "a socket"
  if (stats.isCharacterDevice()) return "a character device"
  if (stats.isBlockDevice()) return "a block device"
  if (stats.isSymbolicLink()) return "a symbolic link"
  return "a special file"
}

export const codeOf = (error: unknown): unknown => (error instanceof Error && "code" in error ? error.code : undefined)

/**
 * `openRegularFile`'s synchronous twin, for code that writes synchronously (the report's
 * appends): the descriptor, or an error if `path` is not a regular file.
 */
export const openRegularFileSync = (path: string, options: OpenRegularOptions): number => {
  let fd: number
  try {
    fd = openSync(path, flagsOf(options), 0o644)
  } catch (error) {
    throw explainOpenError(path, options, error)
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) throw new NotRegularFileError({ path, kind: kindOf(stats) })
    return fd
  } catch (error) {
    closeSync(fd)
    throw error
  }
}
