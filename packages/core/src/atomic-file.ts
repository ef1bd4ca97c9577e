import { randomBytes } from "node:crypto"
import { open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

/**
 * Replaces `path` with `bytes` so that, whatever the moment of a crash, the file is either
 * the old one or the new one, never a torn mix: write a sibling temp file, fsync it, rename
 * it over the target, fsync the directory so the rename itself is durable.
 */
export const writeFileAtomic = async (path: string, bytes: Uint8Array): Promise<void> => {
  const directory = dirname(path)
  // Unique per write, so two writers never share a temp file; the dot hides it from `ls`.
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)
  try {
    const file = await open(temp, "w", 0o644)
    try {
      await file.writeFile(bytes)
      await file.sync()
    } finally {
      await file.close()
    }
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
}
