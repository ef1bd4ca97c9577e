import { mkdir, stat } from "node:fs/promises"
import { dirname } from "node:path"

/**
 * Creates `path` and its missing parents, like `mkdir -p`, in a bounded number of steps.
 *
 * Not `mkdir(path, { recursive: true })`: Node's recursive mkdir (on 20 and 24.22 alike) retries
 * for as long as the kernel answers ENOENT for a directory whose parent exists, and some file
 * systems always do (`/proc/x`, a parent being removed meanwhile): it then spins in the thread
 * pool at 100% CPU, forever, and even `process.exit` waits for it. Here each level is tried at
 * most twice (once, then once more after creating its parent), so every failure ends as an error
 * naming `path`.
 */
export const makeDirectory = async (path: string, mode = 0o755): Promise<void> => {
  try {
    await mkdir(path, { mode })
    return
  } catch (error) {
    if (codeOf(error) === "EEXIST") return requireDirectory(path, error)
    const parent = dirname(path)
    if (codeOf(error) !== "ENOENT" || parent === path) throw error
  }
  await makeDirectory(dirname(path), mode)
  try {
    await mkdir(path, { mode })
  } catch (error) {
    if (codeOf(error) === "EEXIST") return requireDirectory(path, error)
    throw error
  }
}

/** `path` exists: fine if it is a directory (or a link to one), else the EEXIST says why not. */
const requireDirectory = async (path: string, exists: unknown): Promise<void> => {
  const found = await stat(path).catch(() => undefined)
  if (found?.isDirectory() !== true) throw exists
}

const codeOf = (error: unknown): unknown => (error instanceof Error && "code" in error ? error.code : undefined)
