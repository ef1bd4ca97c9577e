import { readFile } from "node:fs/promises"

/**
 * SQLite's own locks, seen from outside. SQLite serialises its writers with POSIX advisory
 * byte-range locks (`fcntl`) on the database file: a connection that is writing holds a write
 * lock on one of the bytes just past 1 GiB (RESERVED, PENDING, EXCLUSIVE). Node can neither take
 * nor test such locks without native code, so this program cannot take part in SQLite's
 * protocol; but on Linux the kernel lists every lock in /proc/locks, by device and inode, which
 * lets a load see that a SQLite client is writing a shard and keep off it. Elsewhere (no
 * /proc/locks), nothing is known, and the other checks (sidecars, the file's version) remain.
 */

/** Where SQLite's lock bytes start (its PENDING_BYTE, 0x40000000). */
const SQLITE_LOCK_BYTES = 1_073_741_824n

export interface LockedFile {
  readonly dev: bigint
  readonly ino: bigint
}

/**
 * The pid of a process holding a write lock on SQLite's lock bytes of `file` (-1 when the lock
 * names no process); undefined when there is none, or where locks cannot be seen.
 */
export const sqliteWriterOf = async (file: LockedFile): Promise<number | undefined> => {
  const table = await readFile("/proc/locks", "utf8").catch(() => "")
  const device = `${hex(majorOf(file.dev))}:${hex(minorOf(file.dev))}:${file.ino}`
  for (const line of table.split("\n")) {
    // `1: POSIX  ADVISORY  WRITE 5214 fe:00:2172305 1073741825 1073741825`; a waiter's line has `->` after the number.
    const fields = line.trim().split(/\s+/)
    const [, type, , access, pid, where, , end] = fields
    if (fields[1] === "->" || (type !== "POSIX" && type !== "OFDLCK") || access !== "WRITE" || where !== device) continue
    if (end === undefined || (end !== "EOF" && !(/^\d+$/.test(end) && BigInt(end) >= SQLITE_LOCK_BYTES))) continue
    // An open file description lock (OFDLCK) belongs to no one process: -1.
    const holder = Number(pid)
    return Number.isSafeInteger(holder) && holder > 0 ? holder : -1
  }
  return undefined
}

/** glibc's encoding of a device number (gnu_dev_major/minor), as /proc/locks prints it. */
const majorOf = (dev: bigint): bigint => ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)
const minorOf = (dev: bigint): bigint => (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
const hex = (value: bigint): string => value.toString(16).padStart(2, "0")
