import { randomBytes } from "node:crypto"
import type { BigIntStats } from "node:fs"
import { open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

/**
 * Which file a path named, and in what state: the same device and inode, size and modification
 * time (to the nanosecond where the file system keeps it) mean nobody has written it since.
 * Not the change time: the rename that puts a file in place changes it.
 */
export interface FileVersion {
  readonly dev: bigint
  readonly ino: bigint
  readonly size: bigint
  readonly mtimeNs: bigint
}

export const versionOf = (stats: BigIntStats): FileVersion => ({ dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs })

export const sameVersion = (a: FileVersion, b: FileVersion): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs

export interface AtomicWriteOptions {
  /**
   * Runs once the new content is durable in its temp file, just before the rename: the last
   * moment to refuse replacing `path` (by throwing), with the smallest window for a change to
   * slip in between the check and the rename.
   */
  readonly beforeRename?: () => Promise<void>
}

/**
 * Replaces `path` with `bytes` so that, whatever the moment of a crash, the file is either
 * the old one or the new one, never a torn mix: write a sibling temp file, fsync it, rename
 * it over the target, fsync the directory so the rename itself is durable. Returns the version
 * of the file now at `path`, so that a later write can tell whether someone else wrote it since.
 */
export const writeFileAtomic = async (path: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): Promise<FileVersion> => {
  const directory = dirname(path)
  // Unique per write, so two writers never share a temp file; the dot hides it from `ls`.
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)
  let written: FileVersion
  try {
    const file = await open(temp, "wx", 0o644)
    try {
      await file.writeFile(bytes)
      await file.sync()
      written = versionOf(await file.stat({ bigint: true }))
    } finally {
      await file.close()
    }
    await options.beforeRename?.()
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch((cleanup: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)} (and removing ${temp} failed: ${String(cleanup)})`)
    })
    throw error
  }
  const dir = await open(directory, "r")
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
  return written
}
