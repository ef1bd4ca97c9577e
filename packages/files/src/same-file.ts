import { fstat, type Stats } from "node:fs"
import { readlink, realpath, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { promisify } from "node:util"

/**
 * Whether two paths name the same file, however they are written: `./x` and `x`, through
 * symbolic links (of the directories or of the file itself, even one that points at nothing
 * yet), or as hard links (same device and inode).
 */

/** `path` with every symbolic link followed, even a dangling last one; at most 40 links, as the kernel does. */
export const resolveLinks = async (path: string): Promise<string> => {
  let current = resolve(path)
  for (let hops = 0; hops < 40; hops++) {
    const parent = await realpath(dirname(current)).catch(() => dirname(current))
    const here = join(parent, basename(current))
    const target = await readlink(here).catch(() => undefined)
    if (target === undefined) return here
    current = resolve(parent, target)
  }
  return current
}

export interface FileIdentity {
  readonly dev: number
  readonly ino: number
}

/**
 * What `stat` says of `path`, or undefined when nothing is there (or a link points nowhere). Any
 * other failure (no permission, a loop of links) is thrown: a file that cannot be looked at must
 * not pass for one that is not there, or a check of sameness would answer "different" by mistake.
 */
export const statIfPresent = (path: string): Promise<Stats | undefined> =>
  stat(path).catch((error: unknown) => (isAbsence(error) ? undefined : Promise.reject(error)))

const isAbsence = (error: unknown): boolean =>
  error instanceof Error && "code" in error && (error.code === "ENOENT" || error.code === "ENOTDIR")

/** The device and inode of what `path` names (following links), or of standard input for `-`; undefined when nothing is there. */
export const identityOf = async (path: string): Promise<FileIdentity | undefined> => {
  const found = await (path === "-" ? promisify(fstat)(0) : statIfPresent(path))
  return found === undefined ? undefined : { dev: found.dev, ino: found.ino }
}

export const sameIdentity = (a: FileIdentity | undefined, b: FileIdentity | undefined): boolean =>
  a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino

/** Whether `a` and `b` are the same file (see above); `-` stands for standard input. */
export const sameFile = async (a: string, b: string): Promise<boolean> => {
  if (a !== "-" && b !== "-" && (await resolveLinks(a)) === (await resolveLinks(b))) return true
  return sameIdentity(await identityOf(a), await identityOf(b))
}
