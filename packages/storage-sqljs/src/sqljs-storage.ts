import type { Stats } from "node:fs"
import { lstat, readdir, realpath, rm } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { codeOf, type FileVersion, makeDirectory, NotRegularFileError, openRegularFile, resolveLinks, sameIdentity, sameVersion, statIfPresent, versionOf, writeFileAtomic } from "@distributed-insert/files"
import { type AppliedMigration, type Migration, ShardName, type SqlValue } from "@distributed-insert/shard"
import {
  type ConflictMode,
  layerFromWorkerOptions,
  RowOutcome,
  type ShardDatabase,
  ShardStorage,
  StorageError,
  type StorageOperation,
  type TableTarget,
  type UnclaimedDatabase
} from "@distributed-insert/storage"
import { Cache, Effect, Layer, Schema, Scope, Semaphore } from "effect"
import type { Database, SqlJsStatic, SqlValue as SqlJsValue, Statement } from "sql.js"
import { lockInOrder } from "./lock-order.ts"
import { acquireShardLock, type LockWait } from "./shard-lock.ts"
import { ShardFiles, shardFileIn } from "./shard-paths.ts"
import { sqliteMigrationSql } from "./sqlite-ddl.ts"
import { type ParsedJournal, type RowsFrame, type SnapshotId, snapshotIdOf } from "./redo-format.ts"
import { journalFileOf, readJournal, RedoJournal } from "./redo-journal.ts"
import { sqliteRefusal } from "./sqlite-refusal.ts"
import { sidecarProblem } from "./sqlite-sidecars.ts"
import { compileSqlJs, loadSqlJs, useCompiledSqlJs } from "./sqljs.ts"
import { SQLJS_TEXT_RULES } from "./storable-text.ts"

/**
 * A writer storage whose caller already holds every shard's lock for longer than the storage
 * lives, so the storage does not take it again: a worker thread loading a shard that the main
 * thread locked for it (a lock names a process, and the worker is in the same one).
 */
export const LOCKED_BY_CALLER = "locked-by-caller"

export interface SqlJsStorageOptions {
  /** Directory holding one `<shard>.db` file per shard; created on first write. */
  readonly dataDir: string
  /** Databases kept elsewhere: their file by name, instead of `<dataDir>/<name>.db` (shard-paths.ts). */
  readonly files?: ShardFiles
  /**
   * Open the databases for writing: each takes its shard's single-writer lock (shard-lock.ts)
   * for the layer's lifetime, waiting up to `waitSeconds` for another writer, unless the caller
   * holds it (`LOCKED_BY_CALLER`). A writer also refuses a file that fails SQLite's integrity
   * check, so that a damaged file is never written back. Without it the databases are opened
   * as readers, which never lock and are never blocked.
   */
  readonly writer?: LockWait | typeof LOCKED_BY_CALLER
}

const LEDGER = "_migrations"

/** The file of database `name` in `dataDir`. */
export const shardFileOf = (dataDir: string, name: ShardName): string => join(dataDir, `${name}.db`)

/** The name a worker's storage configuration gives this backend (`StorageWorkerConfig.backend`). */
const BACKEND = "sqljs"

/**
 * What a worker thread gets to open the storage of the thread that started it: the data
 * directory, and sql.js's compiled WebAssembly module, which V8 shares between threads rather
 * than have each worker compile its own.
 */
const WorkerOptions = Schema.Struct({
  dataDir: Schema.String,
  files: Schema.optionalKey(ShardFiles),
  wasm: Schema.declare((value): value is WebAssembly.Module => Object.prototype.toString.call(value) === "[object WebAssembly.Module]")
})

/**
 * Shard databases held in memory by sql.js and persisted to `<dataDir>/<shard>.db`, an
 * ordinary SQLite file. Each database is opened once per layer and closed with it.
 */
export const SqlJsStorage = {
  backend: BACKEND,
  /**
   * The storage a worker thread opens from `ShardStorage.workerConfig`'s options: a writer
   * whose locks the starting thread holds.
   */
  fromWorkerOptions: (options: unknown): Layer.Layer<ShardStorage, StorageError> =>
    layerFromWorkerOptions(WorkerOptions, options, ({ dataDir, files, wasm }) => {
      useCompiledSqlJs(wasm)
      return SqlJsStorage.layer({ dataDir, ...(files === undefined ? {} : { files }), writer: LOCKED_BY_CALLER })
    }),
  layer: (options: SqlJsStorageOptions): Layer.Layer<ShardStorage> =>
    Layer.effect(
      ShardStorage,
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const writer = options.writer
        const fileOf = shardFileIn(options)
        // Cached, failures included: a shard whose lock was refused stays refused for the run.
        const locks = yield* Cache.make({
          capacity: Number.MAX_SAFE_INTEGER,
          lookup: (name: ShardName): Effect.Effect<void, StorageError> => {
            if (writer === undefined || writer === LOCKED_BY_CALLER) return Effect.void
            const location = fileOf(name)
            return acquireShardLock({ shard: name, location, ...writer }).pipe(
              Effect.catchTag("ShardLockedError", (busy) =>
                Effect.fail(new StorageError({ shard: name, location, operation: "lock", reason: busy.reason, cause: busy, heldByAnother: true }))
              ),
              Effect.asVoid,
              Scope.provide(scope)
            )
          }
        })
        const lock = (name: ShardName) => Cache.get(locks, name)
        // One database per name for the layer's lifetime, failures included (a file that cannot
        // be opened says so to every caller); concurrent callers share one opening. sql.js is
        // compiled on first use, not when the layer is built: a run whose shards all load in
        // worker threads never needs it in the main thread (~45 MB of memory).
        const databases = yield* Cache.make({
          capacity: Number.MAX_SAFE_INTEGER,
          lookup: (name: ShardName) =>
            // Locked before the file is read, not at the first write: sql.js works on a copy in
            // memory and `persist` writes all of it back, so two writers that had read the same
            // file would each write back their own copy, and the last one would drop the other's rows.
            lock(name).pipe(
              Effect.andThen(Effect.promise(loadSqlJs)),
              Effect.flatMap((SQL) =>
                openDatabase(SQL, name, fileOf(name), writer === undefined ? "read" : "write")
              ),
              Scope.provide(scope)
            )
        })
        const fileRole = (path: string, names: ReadonlyArray<ShardName>) =>
          Effect.promise(() => roleOf(fileOf, path, names))
        // Only a writer has anything for a worker to do; the worker writes what this storage locked.
        const workerConfig =
          writer === undefined
            ? undefined
            : Effect.map(Effect.promise(compileSqlJs), (wasm) => ({ backend: BACKEND, options: { dataDir: options.dataDir, ...(options.files === undefined ? {} : { files: options.files }), wasm } }))
        const unclaimed = (names: ReadonlyArray<ShardName>) =>
          Effect.tryPromise({
            try: () => unclaimedIn(options.dataDir, names, fileOf),
            catch: (cause) =>
              new StorageError({ shard: "*", location: options.dataDir, operation: "read", reason: `cannot list the data directory: ${reasonOf(cause)}`, cause })
          })
        return ShardStorage.of({
          database: (name) => Cache.get(databases, name),
          lock,
          lockAll: (names) => lockInOrder(names, lock),
          workerConfig,
          fileRole,
          unclaimed
        })
      })
    )
}

const openDatabase = (SQL: SqlJsStatic, name: ShardName, location: string, use: "read" | "write") =>
  Effect.gen(function* () {
    const fail = (operation: StorageOperation) => (cause: unknown) =>
      new StorageError({ shard: name, location, operation, reason: reasonOf(cause), cause })

    // The file's bytes stay inside this step: held by a variable of this function, they would
    // live as long as the database (its methods keep the function's variables), a second copy
    // of it in memory.
    // Replaced by `reset` (`current.db`); the finalizer closes whichever database is current.
    // Declared before the release that reads it: an interruption right after the acquisition
    // runs the release before the lines below it ever run.
    let replaced: Database | undefined
    const opened = yield* Effect.acquireRelease(Effect.tryPromise({ try: () => readShardFiles(location, use), catch: fail("open") }).pipe(
      Effect.flatMap((found) =>
        Effect.try({
          try: () => ({
            db: openReplayed(SQL, found, location, use),
            version: found.file?.version,
            snapshotId: found.snapshotId,
            resume: found.resume,
            staleJournal: found.staleJournal
          }),
          catch: fail("open")
        })
      )
    ), (found) => Effect.sync(() => (replaced ?? found.db).close()))
    let db: Database = opened.db
    // The file as this run last read or wrote it (undefined: there was none), to make sure
    // nobody else wrote it in between before replacing it.
    let onDisk: FileVersion | undefined = opened.version
    const journal = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          use === "read"
            ? RedoJournal.fresh(location, undefined)
            : opened.resume !== undefined && opened.snapshotId !== undefined
              ? RedoJournal.resume(location, opened.snapshotId, opened.resume)
              : RedoJournal.fresh(location, opened.snapshotId),
        catch: fail("open")
      }),
      // A journal that cannot be cut back to its last checkpoint holds rows the report calls not
      // durable: said, since a finalizer has nobody to fail to.
      (opened) =>
        Effect.try({ try: () => opened.close(), catch: fail("persist") }).pipe(
          Effect.catch((error) => Effect.logWarning(`closing the redo journal: ${error.message}`))
        )
    )
    if (use === "write" && opened.staleJournal) {
      yield* Effect.tryPromise({ try: () => rm(journalFileOf(location), { force: true }), catch: fail("open") })
    }
    const lock = yield* Semaphore.make(1)
    const locked = <A>(operation: StorageOperation, work: () => A) =>
      lock.withPermits(1)(Effect.try({ try: work, catch: fail(operation) }))

    /**
     * The whole database to the shard file, atomically; the journal is marked stale just before
     * the rename and removed after it, so that no crash leaves it to be replayed twice.
     */
    const snapshot = async () => {
      await makeDirectory(dirname(location))
      const expected = onDisk
      const bytes = db.export()
      const id = snapshotIdOf(bytes)
      onDisk = await writeFileAtomic(location, bytes, {
        beforeRename: async () => {
          await requireUnchanged(location, expected)
          await journal.supersede(id)
        }
      })
      await journal.rebase(id)
    }
    // Uninterruptible: an interrupted run would otherwise release its shard lock while the
    // rename over the shard file is still under way, and could replace the next writer's file.
    const persistWith = (work: () => Promise<void>) =>
      lock.withPermits(1)(Effect.uninterruptible(Effect.tryPromise({ try: work, catch: fail("persist") })))

    const database: ShardDatabase = {
      name,
      location,
      get exists() {
        return onDisk !== undefined
      },
      // Inserts go to a copy in memory; only `persist` makes them durable.
      durability: "snapshot",
      textRules: SQLJS_TEXT_RULES,
      appliedMigrations: locked("read", () => readLedger(db)),
      migrate: (model, migrations) =>
        locked("migrate", () => {
          const applied = applyMigrations(db, model, migrations)
          // A schema change is not rows: the journal cannot say it, the next write is a snapshot.
          if (applied.length > 0) journal.invalidate()
          return applied
        }),
      insertBatch: (target, rows, onConflict = "fail") =>
        locked("insert", () => {
          const outcomes = insertRows(db, target, rows, onConflict)
          journal.record(target, rows, outcomes, onConflict)
          return outcomes
        }),
      count: (table) => locked("read", () => Number(queryRows(db, `SELECT count(*) AS n FROM ${quote(table)}`, [])[0]?.["n"] ?? 0)),
      select: (target, query) => locked("read", () => selectRows(db, target, query)),
      integrityProblems: locked("read", () => integrityProblems(db)),
      reset: locked("open", () => {
        const empty = new SQL.Database()
        db.close()
        db = empty
        replaced = empty
        journal.invalidate()
      }),
      // A checkpoint appends what the batches since the last one landed to the journal, which
      // costs what they added; a whole snapshot only when the journal cannot say what changed,
      // or would outgrow the database (then replaying it would cost more than reading a snapshot).
      persist: persistWith(async () => {
        if (journal.usable && journal.bytes <= databaseBytes(db)) {
          await requireUnchanged(location, onDisk)
          await journal.commit()
        } else {
          await snapshot()
        }
      }),
      persistWhole: persistWith(snapshot)
    }
    return database
  })

/** The database of the files found: the shard file, verified, with its journal's rows replayed. */
const openReplayed = (SQL: SqlJsStatic, found: FoundFiles, location: string, use: "read" | "write"): Database => {
  const db = openVerified(SQL, found.file?.bytes, use)
  try {
    replayJournal(db, found.replay)
  } catch (error) {
    db.close()
    throw new Error(`its redo journal (${basename(journalFileOf(location))}) does not apply to it: ${reasonOf(error)}`, { cause: error })
  }
  return db
}

/** What a database takes as a file: SQLite's page count times its page size. */
const databaseBytes = (db: Database): number => {
  const pages = Number(queryRows(db, "PRAGMA page_count", [])[0]?.["page_count"] ?? 0)
  const size = Number(queryRows(db, "PRAGMA page_size", [])[0]?.["page_size"] ?? 0)
  return pages * size
}

/**
 * Replays a journal's frames over the snapshot they apply to, in one transaction: each frame's
 * rows with the statement that landed them, so the result is the database as it was after the
 * frame's batch. A row that fails means the journal is not the snapshot's: the whole open fails
 * rather than show a database that never was.
 */
const replayJournal = (db: Database, frames: ReadonlyArray<RowsFrame>): void => {
  if (frames.length === 0) return
  db.run("PRAGMA journal_mode = MEMORY")
  db.run("PRAGMA foreign_keys = ON")
  db.run("BEGIN")
  try {
    for (const frame of frames) {
      const statement = db.prepare(insertStatement(frame, frame.onConflict))
      try {
        for (const row of frame.rows) statement.run(row as Array<SqlJsValue>)
      } finally {
        statement.free()
      }
    }
    db.run("COMMIT")
  } catch (error) {
    rollbackAfter(db, error)
  }
}

/** The shard file, and what its journal says about it, as `openDatabase` needs them. */
interface FoundFiles {
  readonly file: { readonly bytes: Uint8Array; readonly version: FileVersion } | undefined
  /** The file's snapshot id: known to a writer (whose journal may apply to it), or when a journal is there. */
  readonly snapshotId: SnapshotId | undefined
  /** The journal's frames that apply to the file. */
  readonly replay: ReadonlyArray<RowsFrame>
  /** Where the journal's whole frames end, when it applies to the file and a writer goes on with it. */
  readonly resume: number | undefined
  /** A journal that a snapshot already holds (or one torn before it held anything): to remove. */
  readonly staleJournal: boolean
}

/**
 * Reads the shard file and its journal. A reader may meet a writer's snapshot between the two
 * reads (a new file, a journal of the one before, or the other way round): it reads both again.
 */
const readShardFiles = async (location: string, use: "read" | "write"): Promise<FoundFiles> => {
  for (let attempt = 1; ; attempt++) {
    const file = await readShardFile(location, use)
    const journal = await readJournal(location)
    const found = matchJournal(location, file, journal, use)
    if (typeof found !== "string") return found
    const again = await readShardFile(location, use)
    const moved = again?.version !== undefined && file?.version !== undefined ? !sameVersion(again.version, file.version) : again !== file
    if (use === "write" || attempt >= 5 || !moved) throw new Error(found)
  }
}

const matchJournal = (
  location: string,
  file: FoundFiles["file"],
  journal: ParsedJournal | undefined,
  use: "read" | "write"
): FoundFiles | string => {
  const none = { file, replay: [], resume: undefined, staleJournal: false }
  if (journal === undefined) return { ...none, snapshotId: use === "write" && file !== undefined ? snapshotIdOf(file.bytes) : undefined }
  // A header torn by a crash: the journal never had a synced frame.
  if (journal.base === undefined) return { ...none, snapshotId: file === undefined ? undefined : snapshotIdOf(file.bytes), staleJournal: true }
  const name = basename(location)
  const journalName = basename(journalFileOf(location))
  if (file === undefined) {
    return (
      `${journalName} is beside it but ${name} is not there: the journal holds the rows of checkpoints on top of ${name}, ` +
      `and means nothing without it. Restore ${name}, or remove ${journalName} to start over`
    )
  }
  const id = snapshotIdOf(file.bytes)
  if (journal.supersededBy.includes(id)) return { ...none, snapshotId: id, staleJournal: true }
  if (journal.base !== id) {
    return (
      `${journalName} beside it holds checkpoints on top of another version of ${name}: ${name} was replaced or changed by ` +
      `another program while the journal was pending, or was copied without it. The journal is not replayed over a database ` +
      `it does not belong to: put back the ${name} it belongs to, or remove ${journalName} to keep ${name} as it is ` +
      `(dropping the journal's rows)`
    )
  }
  return { file, snapshotId: id, replay: journal.frames, resume: use === "write" ? journal.validBytes : undefined, staleJournal: false }
}

/**
 * The shard file's bytes and version, or undefined when there is none. Refused: anything but
 * a regular file (a FIFO would block the read forever; a symbolic link would be replaced by a
 * regular file at the first write, leaving the file it points to behind), and a file that
 * SQLite's sidecars say is not whole on its own (sqlite-sidecars.ts).
 */
const readShardFile = async (location: string, use: "read" | "write"): Promise<{ readonly bytes: Uint8Array; readonly version: FileVersion } | undefined> => {
  const problem = await sidecarProblem(location, use)
  if (problem !== undefined) throw new Error(problem)
  let opened: Awaited<ReturnType<typeof openRegularFile>>
  try {
    opened = await openRegularFile(location, { followLinks: false })
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined
    if (error instanceof NotRegularFileError) throw new Error(notRegularReason(error))
    throw error
  }
  try {
    // The version is taken before the read: a write that lands during the read changes it, and
    // is then caught before this copy is written back.
    const version = versionOf(await opened.file.stat({ bigint: true }))
    return { bytes: await opened.file.readFile(), version }
  } finally {
    await opened.file.close()
  }
}

const notRegularReason = (error: NotRegularFileError): string =>
  error.kind === "a symbolic link"
    ? `it is a symbolic link, not a regular file: a shard file is replaced whole (a temp file renamed over it) when written, which would replace the link, ` +
      "not the file it points to, so links are refused; to keep the shards elsewhere, point the data directory there (or link the directory)"
    : `it is ${error.kind}, not a regular file: a shard file must be a regular SQLite file`

/**
 * Refuses to replace the shard file if it is not the one this run last read or wrote: another
 * program (the sqlite3 shell, another SQLite client) wrote it meanwhile, or left a journal or
 * log beside it. Overwriting would silently undo that program's changes, or leave its log to be
 * replayed over the new file.
 */
const requireUnchanged = async (location: string, expected: FileVersion | undefined): Promise<void> => {
  // Not following a link: a link put in the file's place is a change too.
  const current = await lstat(location, { bigint: true }).then(
    (stats) => (stats.isFile() ? versionOf(stats) : null),
    (error: unknown) => {
      if (codeOf(error) === "ENOENT") return undefined
      throw error
    }
  )
  const changed =
    expected === undefined
      ? current === undefined
        ? undefined
        : "it was created by another program since this run found none"
      : current === undefined
        ? "it was removed since this run read it"
        : current === null || !sameVersion(current, expected)
          ? "another program wrote it since this run read it"
          : undefined
  if (changed !== undefined) throw new Error(`not replaced: ${changed} (its size, time or inode changed), and writing this run's copy would undo that program's changes`)
  const problem = await sidecarProblem(location, "write")
  if (problem !== undefined) throw new Error(`not replaced: ${problem}`)
}

/**
 * sql.js accepts any bytes lazily; touching the schema makes a non-SQLite file fail here. A
 * writer also runs SQLite's integrity check: a damaged file can open and even take inserts, and
 * writing it back would spread the damage over a file that looks freshly written. The full
 * check, not `quick_check`, which passes an index whose entries do not match its table (what
 * `check` reports): it costs the same on tables without secondary indexes, the built-in
 * shards' case, and an index's check is of the order of inserting its rows once.
 */
const openVerified = (SQL: SqlJsStatic, bytes: Uint8Array | undefined, use: "read" | "write"): Database => {
  const db = new SQL.Database(bytes)
  try {
    db.exec("SELECT count(*) FROM sqlite_master")
    if (use === "write" && bytes !== undefined) {
      // SQLite gives up on some damage with an error rather than a list: that is a finding too.
      const problems = (() => {
        try {
          return integrityProblems(db)
        } catch (error) {
          return [reasonOf(error)]
        }
      })()
      if (problems.length > 0) {
        const shown = problems.slice(0, 3).join("; ")
        const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""
        throw new Error(
          `it fails SQLite's integrity check (${shown}${more}), so it is not loaded, lest it be written back: ` +
            "the check command lists the problems; restore the file from a backup, or salvage its rows with the sqlite3 shell's .recover"
        )
      }
    }
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * What the storage keeps beside the file of database `name` (`fileOf`), by file name. `path` is
 * compared after following symbolic links (the directory's and its own, dangling or not), and by
 * device and inode for the files that exist (a hard link), so a path reaching one of them in any
 * way is found.
 */
const roleOf = async (fileOf: (name: ShardName) => string, path: string, names: ReadonlyArray<ShardName>): Promise<string | undefined> => {
  const resolved = await resolveLinks(path)
  for (const name of names) {
    const file = fileOf(name)
    const home = await realpath(dirname(file)).catch(() => resolve(dirname(file)))
    const byName = dirname(resolved) === home ? roleByName(basename(resolved), name, basename(file)) : undefined
    if (byName !== undefined) return byName
  }
  const target = await statIfPresent(path)
  if (target === undefined) return undefined
  for (const name of names) {
    for (const [suffix, role] of FIXED_FILES) {
      const kept = await statIfPresent(`${fileOf(name)}${suffix}`)
      if (sameIdentity(kept, target)) return role(name)
    }
  }
  return undefined
}

/** The files of a database that have fixed names: the file, its redo journal, SQLite's sidecars, the lock. */
const FIXED_FILES: ReadonlyArray<readonly [string, (name: string) => string]> = [
  ["", (name) => `the shard file of ${name}`],
  [".redo", (name) => `the redo journal of shard ${name}`],
  ["-wal", (name) => `SQLite's write-ahead log of shard ${name}`],
  ["-journal", (name) => `SQLite's rollback journal of shard ${name}`],
  ["-shm", (name) => `SQLite's shared-memory file of shard ${name}`],
  [".lock", (name) => `the lock file of shard ${name}`]
]

const roleByName = (file: string, name: ShardName, shardFile = `${name}.db`): string | undefined => {
  for (const [suffix, role] of FIXED_FILES) if (file === `${shardFile}${suffix}`) return role(name)
  // A lock's takeover guard, and the temp files of a write or of a lock being created.
  if (file.startsWith(`${shardFile}.lock.`)) return `a lock file of shard ${name}`
  if (file.startsWith(`.${shardFile}.`) && file.endsWith(".tmp")) return `a temp file of shard ${name}`
  return undefined
}

/**
 * The database files in `dataDir` that none of `names` is, each with the files beside it that
 * belong to it (`roleByName`: journals, lock, temp files). A database file is a `<name>.db`
 * whose name is a shard name, a regular file (not a link, which the storage refuses to open
 * anyway) that reads as SQLite: empty (SQLite's empty database) or starting with SQLite's
 * header, so that a `.db` of something else is left out. The files of claimed databases are
 * never opened. Nothing is opened as a database, locked or written: each candidate's first
 * bytes are read, without following a link or blocking on a FIFO.
 */
const unclaimedIn = async (
  dataDir: string,
  names: ReadonlyArray<ShardName>,
  fileOf: (name: ShardName) => string
): Promise<ReadonlyArray<UnclaimedDatabase>> => {
  const entries = await readdir(dataDir).catch((error: unknown) => {
    // No data directory yet: nothing has been written, so nothing is left over.
    if (codeOf(error) === "ENOENT") return []
    throw error
  })
  const claimed = new Set<string>(names)
  const sidecars = new Map<ShardName, Array<string>>()
  const candidates: Array<ShardName> = []
  for (const entry of entries) {
    const owner = databaseOfFile(entry)
    if (owner === undefined || claimed.has(owner)) continue
    if (entry === `${owner}.db`) candidates.push(owner)
    else sidecars.set(owner, [...(sidecars.get(owner) ?? []), join(dataDir, entry)])
  }
  const found: Array<UnclaimedDatabase> = []
  for (const name of candidates.sort()) {
    const location = shardFileOf(dataDir, name)
    const looked = await lookAtDatabaseFile(location)
    if (looked === undefined) continue
    // A hard link to a claimed database's file is that database, under another name.
    const linked = await Promise.all(names.map((claimedName) => statIfPresent(fileOf(claimedName))))
    if (linked.some((stats) => sameIdentity(stats, looked))) continue
    found.push({ name, location, sidecars: (sidecars.get(name) ?? []).sort() })
  }
  return found
}

/** The database whose file (or sidecar, lock, temp file: `roleByName`) `file` is, by its name alone. */
const databaseOfFile = (file: string): ShardName | undefined => {
  // A shard name has no dot: it is what comes before the first one (after a temp file's leading dot).
  const [candidate = ""] = (file.startsWith(".") ? file.slice(1) : file).split(".")
  if (!isShardName(candidate)) return undefined
  return roleByName(file, candidate) === undefined ? undefined : candidate
}

const isShardName = Schema.is(ShardName)

/** The first bytes of every SQLite database file (https://sqlite.org/fileformat.html). */
const SQLITE_HEADER = new TextEncoder().encode("SQLite format 3\u0000")

/**
 * The status of the file at `path` if it is a regular file that reads as SQLite; undefined when it
 * is not, or is no longer there (removed since the directory was listed). A regular file this
 * process may not read counts as one: it may well be, and saying so changes nothing, whereas
 * failing would make one unreadable stray file fail the whole listing.
 */
const lookAtDatabaseFile = async (path: string): Promise<Stats | undefined> => {
  let opened: Awaited<ReturnType<typeof openRegularFile>>
  try {
    opened = await openRegularFile(path, { followLinks: false })
  } catch (error) {
    if (codeOf(error) === "ENOENT" || error instanceof NotRegularFileError) return undefined
    if (codeOf(error) === "EACCES" || codeOf(error) === "EPERM") {
      const found = await lstat(path).catch((cause: unknown) => (codeOf(cause) === "ENOENT" ? undefined : Promise.reject(cause)))
      return found?.isFile() === true ? found : undefined
    }
    throw error
  }
  try {
    if (opened.stats.size === 0) return opened.stats
    const header = new Uint8Array(SQLITE_HEADER.length)
    const { bytesRead } = await opened.file.read(header, 0, header.length, 0)
    return bytesRead === header.length && header.every((byte, index) => byte === SQLITE_HEADER[index]) ? opened.stats : undefined
  } finally {
    await opened.file.close()
  }
}

const readLedger = (db: Database): ReadonlyArray<AppliedMigration> => {
  if (!hasTable(db, LEDGER)) return []
  return queryRows(db, `SELECT model, version, description, applied_at FROM ${LEDGER} ORDER BY model, version`, []).map((row) => ({
    model: String(row["model"]),
    version: Number(row["version"]),
    description: String(row["description"]),
    appliedAt: String(row["applied_at"])
  }))
}

/**
 * Each migration commits on its own, with its ledger row, so a failure keeps earlier ones. They
 * run with foreign keys off, as SQLite wants schema changes made (rebuilding a referenced table
 * would otherwise cascade, or fail, on its rows); inserts turn them on again. A `createTable`
 * migration runs as its SQLite DDL (sqlite-ddl.ts). Throws the failure of a migration.
 */
export const applyMigrations = (db: Database, model: string, migrations: ReadonlyArray<Migration>): ReadonlyArray<Migration> => {
  db.run("PRAGMA foreign_keys = OFF")
  db.run(
    `CREATE TABLE IF NOT EXISTS ${LEDGER} (model TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (model, version))`
  )
  const applied = new Set(readLedger(db).filter((entry) => entry.model === model).map((entry) => entry.version))
  const pending = migrations.filter((migration) => !applied.has(migration.version))
  for (const migration of pending) {
    db.run("BEGIN")
    try {
      db.exec(sqliteMigrationSql(migration))
      db.run(`INSERT INTO ${LEDGER} (model, version, description, applied_at) VALUES (?, ?, ?, ?)`, [
        model,
        migration.version,
        migration.description,
        new Date().toISOString()
      ])
      db.run("COMMIT")
    } catch (error) {
      rollbackAfter(db, new Error(`migration ${model} v${migration.version} (${migration.description}): ${reasonOf(error)}`, { cause: error }))
    }
  }
  return pending
}

/**
 * One transaction per batch (a transaction per row costs ~30 µs in sql.js) and one INSERT
 * statement per row. Each row is atomic on its own without a savepoint: SQLite undoes a
 * statement that fails (a constraint, including one hit by a trigger it fired) entirely,
 * through its statement journal, and the transaction goes on with the neighbours. A savepoint
 * per row would cost as much as the insert itself. insert-records.test.ts makes the failures
 * happen mid-batch, a trigger's among them, and checks that nothing of them remains.
 */
const insertRows = (
  db: Database,
  target: TableTarget,
  rows: ReadonlyArray<ReadonlyArray<SqlValue>>,
  onConflict: ConflictMode
): ReadonlyArray<RowOutcome> => {
  const outcomes: Array<RowOutcome> = []
  if (rows.length === 0) return outcomes
  const insert = db.prepare(insertStatement(target, onConflict))
  // Whether the key is taken decides between Inserted and Replaced; asked only when replacing.
  const keyTaken =
    onConflict === "replace"
      ? db.prepare(`SELECT 1 FROM ${quote(target.table)} WHERE ${quote(target.primaryKey)} = ?`)
      : undefined
  const keyIndex = target.columns.indexOf(target.primaryKey)
  // The journal only serves rollbacks inside this in-memory database (durability is the atomic
  // file write's job): in memory, it costs a fraction of Emscripten's file system. Set per batch
  // because db.export() resets pragmas, and before BEGIN: SQLite ignores foreign_keys inside a
  // transaction. Foreign keys are off unless asked for, in SQLite alone: without this, a row
  // referring to no row would land here and be refused by any other engine.
  db.run("PRAGMA journal_mode = MEMORY")
  db.run("PRAGMA foreign_keys = ON")
  db.run("BEGIN")
  try {
    for (const row of rows) {
      try {
        const replacing = keyTaken !== undefined && exists(keyTaken, row[keyIndex] ?? null)
        insert.run(row as Array<SqlJsValue>)
        outcomes.push(
          replacing ? RowOutcome.replaced : onConflict === "skip" && db.getRowsModified() === 0 ? RowOutcome.skipped : RowOutcome.inserted
        )
      } catch (error) {
        outcomes.push(RowOutcome.refused(sqliteRefusal(error)))
      }
    }
    db.run("COMMIT")
    return outcomes
  } catch (error) {
    return rollbackAfter(db, error)
  } finally {
    insert.free()
    keyTaken?.free()
  }
}

/**
 * `ON CONFLICT DO NOTHING` and `DO UPDATE` act on uniqueness only: a NOT NULL or CHECK
 * violation still refuses the row whatever the mode. `replace` updates the row in place (by
 * primary key) rather than deleting and re-inserting it, so nothing that refers to it breaks.
 */
const insertStatement = (target: TableTarget, onConflict: ConflictMode): string => {
  const insert = `INSERT INTO ${quote(target.table)} (${target.columns.map(quote).join(", ")}) VALUES (${target.columns.map(() => "?").join(", ")})`
  switch (onConflict) {
    case "fail":
      return insert
    case "skip":
      return `${insert} ON CONFLICT DO NOTHING`
    case "replace": {
      const updates = target.columns.filter((column) => column !== target.primaryKey).map((column) => `${quote(column)} = excluded.${quote(column)}`)
      return updates.length === 0
        ? `${insert} ON CONFLICT (${quote(target.primaryKey)}) DO NOTHING`
        : `${insert} ON CONFLICT (${quote(target.primaryKey)}) DO UPDATE SET ${updates.join(", ")}`
    }
  }
}

const exists = (query: Statement, key: SqlValue): boolean => {
  try {
    query.bind([key as SqlJsValue])
    return query.step()
  } finally {
    query.reset()
  }
}

/** Undoes the open transaction and rethrows `cause`, keeping the rollback's own failure if any. */
const rollbackAfter = (db: Database, cause: unknown): never => {
  try {
    db.run("ROLLBACK")
  } catch (rollbackError) {
    throw new Error(`${reasonOf(cause)} (and the rollback failed: ${reasonOf(rollbackError)})`, { cause })
  }
  throw cause
}

const selectRows = (
  db: Database,
  target: TableTarget,
  query: { readonly key?: SqlValue; readonly limit?: number }
): ReadonlyArray<Readonly<Record<string, SqlValue>>> => {
  const columns = target.columns.map(quote).join(", ")
  const where = query.key === undefined ? "" : ` WHERE ${quote(target.primaryKey)} = ?`
  const limit = query.limit === undefined ? "" : " LIMIT ?"
  const params: Array<SqlValue> = []
  if (query.key !== undefined) params.push(query.key)
  if (query.limit !== undefined) params.push(query.limit)
  return queryRows(db, `SELECT ${columns} FROM ${quote(target.table)}${where} ORDER BY ${quote(target.primaryKey)}${limit}`, params)
}

const queryRows = (db: Database, sql: string, params: ReadonlyArray<SqlValue>): Array<Record<string, SqlValue>> => {
  const statement = db.prepare(sql, params as Array<SqlJsValue>)
  try {
    const rows: Array<Record<string, SqlValue>> = []
    while (statement.step()) rows.push(statement.getAsObject())
    return rows
  } finally {
    statement.free()
  }
}

/**
 * `PRAGMA integrity_check` answers one row, `ok`, or rows of problems, some of them several
 * lines under a `*** in database main ***` heading: one problem per line here, without it.
 */
const integrityProblems = (db: Database): ReadonlyArray<string> => {
  const answers = queryRows(db, "PRAGMA integrity_check", []).map((row) => String(row["integrity_check"]))
  if (answers.length === 1 && answers[0] === "ok") return []
  return answers.flatMap((answer) => answer.split("\n")).filter((line) => line !== "" && !/^\*\*\* in database \w+ \*\*\*$/.test(line))
}

const hasTable = (db: Database, table: string): boolean =>
  queryRows(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).length > 0

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
