import { lstat } from "node:fs/promises"
import { basename } from "node:path"
import { codeOf, kindOf, openRegularFile } from "@distributed-insert/files"
import { sqliteWriterOf } from "./sqlite-locks.ts"

/**
 * SQLite keeps part of a database outside its file while it writes it: a rollback journal
 * (`users.db-journal`: the original pages of a write under way) or, in WAL mode, a write-ahead
 * log (`users.db-wal`: committed pages not yet copied into the file). sql.js reads the file
 * alone, so with either beside it, it would see a database that SQLite would not: half of an
 * unfinished write, or none of the log's committed rows. Writing that copy back over the file
 * would then lose the log's rows, or make the next SQLite reader replay a stale log over the new
 * file ("database disk image is malformed"). So such a file is refused, saying how to fold the
 * sidecar in with the `sqlite3` shell; this program never writes or removes another program's
 * journal.
 */

/**
 * Why `file` cannot be used as it is, because of what SQLite left beside it, or because a SQLite
 * client holds its write lock on it (Linux, see sqlite-locks.ts); undefined when nothing.
 */
export const sidecarProblem = async (file: string, use: "read" | "write"): Promise<string | undefined> => {
  const name = basename(file)
  const wal = await sizeOf(`${file}-wal`)
  // A WAL-mode connection that is open but has not written yet has an empty log: harmless to a
  // reader, but it may write at any moment, which a writer that replaces the file would undo.
  if (wal !== undefined && (use === "write" || wal !== 0)) {
    return (
      `${name}-wal is beside it: SQLite's write-ahead log, which another program (the sqlite3 shell, say) has open in WAL mode, ` +
      `or left when it stopped; it can hold committed changes that are not in ${name} yet. Close that program, then fold the log ` +
      `into the file with \`sqlite3 ${file} 'PRAGMA journal_mode=DELETE'\`, and try again`
    )
  }
  const found = await lstat(file, { bigint: true }).catch((error: unknown) => {
    if (codeOf(error) === "ENOENT") return undefined
    throw error
  })
  const writer = found === undefined ? undefined : await sqliteWriterOf(found)
  if (writer !== undefined) {
    return (
      `${writer > 0 ? `process ${writer}` : "another process"} holds SQLite's write lock on ${name}: a SQLite client (the sqlite3 shell, ` +
      "say) is writing it right now. Let it finish (commit, or close it), and try again"
    )
  }
  if (await isHotJournal(`${file}-journal`)) {
    return (
      `${name}-journal is beside it: SQLite's rollback journal of a write that did not finish (another program is writing ` +
      `${name} now, or stopped in the middle of a write), so ${name} may hold half of that write. Once no other program has it ` +
      `open, let SQLite roll the write back with \`sqlite3 ${file} 'PRAGMA integrity_check'\`, and try again`
    )
  }
  return undefined
}

/** The size of what is at `path`, without following a link; undefined when nothing is there. */
const sizeOf = async (path: string): Promise<number | undefined> => {
  try {
    return (await lstat(path)).size
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined
    throw error
  }
}

/**
 * Whether the rollback journal at `path` is "hot", by SQLite's own rule: it exists, is not
 * empty, and its first byte is not zero (journal_mode=PERSIST zeroes the header of a journal it
 * keeps after a commit; TRUNCATE empties it; DELETE, the default, removes it).
 */
const isHotJournal = async (path: string): Promise<boolean> => {
  const found = await lstat(path).catch((error: unknown) => {
    if (codeOf(error) === "ENOENT") return undefined
    throw error
  })
  if (found === undefined || found.size === 0) return false
  // Something other than a file where SQLite would put its journal: a reader could not tell
  // whether a write is under way, so it counts as one.
  if (!found.isFile()) throw new Error(`${path} is ${kindOf(found)}, where SQLite keeps its rollback journal`)
  const { file } = await openRegularFile(path, { followLinks: false })
  try {
    const first = new Uint8Array(1)
    const { bytesRead } = await file.read(first, 0, 1, 0)
    return bytesRead === 1 && first[0] !== 0
  } finally {
    await file.close()
  }
}
