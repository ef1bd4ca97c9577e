import { randomBytes } from "node:crypto"
import { link, rm, unlink, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { basename, dirname, join } from "node:path"
import { codeOf, makeDirectory, NotRegularFileError, openRegularFile } from "@distributed-insert/files"
import { StorageError } from "@distributed-insert/storage"
import { Clock, Console, Duration, Effect, Result, Schema, type Scope } from "effect"
import { ShardLockedError } from "./shard-locked-error.ts"

/**
 * One writer per shard file at a time, across processes: a lock file beside the shard,
 * `<shard>.db.lock`, holding `{ pid, since, hostname }`, created before the shard is read and
 * removed when the writer's scope closes (success, failure or interruption). A process killed
 * outright (SIGKILL, power loss) leaves its lock behind; the next writer sees that its pid is
 * gone and takes the lock over.
 *
 * Why not `proper-lockfile`, the maintained library: its lock is a directory whose mtime the
 * holder refreshes on a timer, and a lock is stale when that mtime is older than a threshold
 * (10 s by default). It records no pid, so a second writer cannot be told who holds the shard,
 * and it cannot tell a dead holder from a busy one: our holders block their event loop for
 * seconds at a time (a large batch, `db.export()` of a big database), which would let a live
 * writer's lock go stale and be taken over, exactly the lost update the lock is for, while a
 * dead holder's lock would still block everyone for the threshold. A pid check answers both.
 *
 * Limits: liveness can only be judged on this host, so a lock naming another hostname (a data
 * directory on a network share) is never taken over; a dead holder's pid reused by an unrelated
 * process makes its lock look live, and the error names the lock file to remove by hand.
 */

export type LockHolder = ShardLockedError["holder"]

/** The largest pid a process can have (Linux's pid_max is at most 2^22); also what `process.kill` accepts. */
const MAX_PID = 2 ** 31 - 1

const LockRecord = Schema.fromJsonString(
  Schema.Struct({ pid: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_PID })), since: Schema.String, hostname: Schema.String })
)

export interface LockWait {
  /** How long to wait for another writer to finish; 0 (or less) fails at once. */
  readonly waitSeconds: number
  /** Runs once, when the lock is first found held and the wait begins. */
  readonly onWait?: (busy: ShardLockedError) => Effect.Effect<void>
}

export interface ShardLockOptions extends LockWait {
  readonly shard: string
  /** The shard file; its lock file is beside it. */
  readonly location: string
}

export const lockFileOf = (shardFile: string): string => `${shardFile}.lock`

/** What a writer that is about to wait says, for a human. */
export const lockWaitNotice = (busy: ShardLockedError, waitSeconds: number): string => `${busy.message}; waiting up to ${waitSeconds} s`

/** Polls start fast (a takeover or a short run ends in milliseconds) and back off to this. */
const FIRST_POLL_MS = 20
const LONGEST_POLL_MS = 500

/**
 * Takes the shard's lock for the current scope, waiting up to `waitSeconds` for a live holder.
 * Fails with `ShardLockedError` naming the holder, or a `StorageError` ("lock") when the lock
 * file cannot be created or read.
 */
export const acquireShardLock = (options: ShardLockOptions): Effect.Effect<LockHolder, ShardLockedError | StorageError, Scope.Scope> =>
  Effect.gen(function* () {
    const lockFile = lockFileOf(options.location)
    const ioError = (cause: unknown) =>
      new StorageError({ shard: options.shard, location: options.location, operation: "lock", reason: reasonOf(cause), cause })
    // Each attempt is uninterruptible and registers its release at once, so an interruption
    // can never leave a lock taken and not released; the pauses between attempts stay
    // interruptible, so Ctrl-C does not wait out `--wait-lock`.
    const attempt = Effect.acquireRelease(
      Effect.tryPromise({ try: () => tryLock(lockFile, { pid: process.pid, since: new Date().toISOString(), hostname: hostname() }), catch: ioError }),
      (outcome) => (outcome._tag === "Acquired" ? releaseLock(lockFile, outcome.holder) : Effect.void)
    )
    const waitMs = options.waitSeconds > 0 ? options.waitSeconds * 1000 : 0
    // The wait is counted from when the lock was first found held.
    let heldSince: number | undefined
    let pause = FIRST_POLL_MS
    for (;;) {
      const outcome = yield* attempt
      if (outcome._tag === "Acquired") return outcome.holder
      const now = yield* Clock.currentTimeMillis
      const waiting = heldSince !== undefined
      heldSince ??= now
      const waited = now - heldSince
      const busy = new ShardLockedError({
        shard: options.shard,
        location: options.location,
        lockFile,
        holder: outcome.holder,
        waitedSeconds: Math.round(waited / 100) / 10
      })
      if (waited >= waitMs) return yield* busy
      if (!waiting) yield* options.onWait?.(busy) ?? Effect.void
      yield* Effect.sleep(Duration.millis(Math.min(pause, waitMs - waited)))
      pause = Math.min(pause * 2, LONGEST_POLL_MS)
    }
  })

export type ShardLockState =
  | { readonly _tag: "Unlocked" }
  | { readonly _tag: "Held"; readonly holder: LockHolder }
  | { readonly _tag: "Stale"; readonly holder: LockHolder }

/** The lock state of a shard file, without taking or changing anything: for readers such as a check. */
export const inspectShardLock = (shard: string, location: string): Effect.Effect<ShardLockState, StorageError> =>
  Effect.tryPromise({
    try: async (): Promise<ShardLockState> => {
      const holder = await readHolder(lockFileOf(location))
      if (holder === undefined) return { _tag: "Unlocked" }
      return isStale(holder) ? { _tag: "Stale", holder } : { _tag: "Held", holder }
    },
    catch: (cause) => new StorageError({ shard, location, operation: "lock", reason: reasonOf(cause), cause })
  })

type Attempt = { readonly _tag: "Acquired"; readonly holder: LockHolder } | { readonly _tag: "Busy"; readonly holder: LockHolder }

/** A lock file that changes this often under one attempt is being fought over by something else. */
const MAX_ROUNDS = 16

/** One attempt: create the lock, or else take over a stale one, or else say who holds it. */
const tryLock = async (lockFile: string, me: LockHolder): Promise<Attempt> => {
  await makeDirectory(dirname(lockFile))
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await createExclusive(lockFile, me)) return { _tag: "Acquired", holder: me }
    const holder = await readHolder(lockFile)
    // Released between our create and our read: try again.
    if (holder === undefined) continue
    if (!isStale(holder)) return { _tag: "Busy", holder }
    const taker = await removeStale(lockFile, holder, me)
    if (taker !== undefined) return { _tag: "Busy", holder: taker }
  }
  throw new Error(`${lockFile} changed ${MAX_ROUNDS} times during one attempt to take it`)
}

/**
 * Removes the stale lock at `path` if it is still the one `stale` names; returns the live
 * process that is doing so instead, if any.
 *
 * Deleting a stale lock and creating one's own is not atomic: two processes that both saw the
 * stale lock could each delete it, and the slower one would delete the faster one's fresh lock,
 * leaving two writers. So the removal happens under a second lock, `<path>.takeover`, created
 * the same atomic way, and the holder of that one checks again, under it, that the lock is
 * still the stale one before deleting it. Nothing else can delete it meanwhile: its owner is
 * dead, and other takers are kept out by the takeover lock. After the removal everyone,
 * the taker included, competes by atomic create again, so exactly one wins.
 * A takeover lock lasts a few file operations; one left by a taker that died in between is
 * itself stale, and is removed the same way, under `<path>.takeover.takeover`.
 */
const removeStale = async (path: string, stale: LockHolder, me: LockHolder): Promise<LockHolder | undefined> => {
  const guard = `${path}.takeover`
  if (await createExclusive(guard, me)) {
    try {
      const current = await readHolder(path)
      if (current !== undefined && sameHolder(current, stale)) await rm(path, { force: true })
    } finally {
      await rm(guard, { force: true })
    }
    return undefined
  }
  const taker = await readHolder(guard)
  if (taker === undefined) return undefined
  if (!isStale(taker)) return taker
  return removeStale(guard, taker, me)
}

/**
 * Creates `path` holding `holder`, unless it exists. `open(path, "wx")` would be atomic too, but
 * the file would exist, empty, until written, and a reader could not tell that from a lock left
 * torn by a crash. So the record is written to a private draft first and hard-linked into place:
 * `link` fails with EEXIST if `path` exists, and the file appears complete or not at all.
 */
const createExclusive = async (path: string, holder: LockHolder): Promise<boolean> => {
  const draft = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)
  try {
    await writeFile(draft, `${JSON.stringify(holder)}\n`, { flag: "wx", mode: 0o644 })
  } catch (error) {
    // The draft can exist, empty or torn, when the write fails (a full disk): not ours to leave.
    await rm(draft, { force: true })
    throw error
  }
  try {
    await link(draft, path)
  } catch (error) {
    await rm(draft, { force: true })
    if (codeOf(error) === "EEXIST") return false
    throw error
  }
  // The lock is ours from here: if the draft cannot be removed, give it back before failing.
  await unlink(draft).catch(async (error: unknown) => {
    await rm(path, { force: true })
    throw error
  })
  return true
}

/** A lock record is a line of about a hundred bytes; more than this is not one. */
const LOCK_BYTES = 4096

/**
 * The lock's holder; `undefined` when there is no lock file. Anything else at its path (a
 * symbolic link, dangling or not, a FIFO, a directory, a record this program did not write)
 * is an error naming the file: guessing would risk two writers, and a FIFO would block forever.
 */
const readHolder = async (path: string): Promise<LockHolder | undefined> => {
  const notOurs = (detail: string, cause?: unknown) =>
    new Error(`${path} is not a lock file this program wrote (${detail}); if no command is writing the shard, delete it`, { cause })
  let opened: Awaited<ReturnType<typeof openRegularFile>>
  try {
    opened = await openRegularFile(path, { followLinks: false })
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined
    if (error instanceof NotRegularFileError) throw notOurs(`it is ${error.kind}`)
    throw error
  }
  let text: string
  try {
    const buffer = Buffer.alloc(LOCK_BYTES + 1)
    const { bytesRead } = await opened.file.read(buffer, 0, buffer.length, 0)
    if (bytesRead > LOCK_BYTES) throw notOurs(`it holds more than ${LOCK_BYTES} bytes`)
    text = buffer.subarray(0, bytesRead).toString("utf8")
  } finally {
    await opened.file.close()
  }
  const decoded = Schema.decodeUnknownResult(LockRecord)(text.trim())
  if (Result.isSuccess(decoded)) return decoded.success
  throw notOurs(`it does not hold {"pid","since","hostname"} with a pid from 1 to ${MAX_PID}`, decoded.failure)
}

/** Whether the lock's holder is known to be gone. Only this host's processes can be seen. */
const isStale = (holder: LockHolder): boolean => {
  if (holder.hostname !== hostname()) return false
  // Our own pid: another thread of this process holds it, unless the lock is older than this
  // process, whose pid a dead one had before (in a container, every run can be pid 1).
  if (holder.pid === process.pid) return Date.parse(holder.since) < Math.floor(Date.now() - process.uptime() * 1000)
  return !isAlive(holder.pid)
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists, it is just not ours to signal.
    if (codeOf(error) === "EPERM") return true
    if (codeOf(error) === "ESRCH") return false
    throw error
  }
}

const sameHolder = (a: LockHolder, b: LockHolder): boolean => a.pid === b.pid && a.since === b.since && a.hostname === b.hostname

/**
 * Removes the lock if it is still ours. A failure to do so is reported, not raised: the work is
 * done by then, and the lock becomes stale, hence free, once this process has exited.
 */
const releaseLock = (lockFile: string, me: LockHolder): Effect.Effect<void> =>
  Effect.tryPromise(async () => {
    const current = await readHolder(lockFile)
    if (current !== undefined && sameHolder(current, me)) {
      await rm(lockFile, { force: true })
      return undefined
    }
    return current === undefined ? "it was already gone" : `it is now held by process ${current.pid} since ${current.since}; left as it is`
  }).pipe(
    Effect.flatMap((problem) => (problem === undefined ? Effect.void : Console.error(`warning: releasing ${lockFile}: ${problem}`))),
    Effect.catch((error) => Console.error(`warning: could not release ${lockFile}: ${reasonOf(error.cause)}`))
  )

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
