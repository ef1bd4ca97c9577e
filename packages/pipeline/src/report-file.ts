import { identityOf, openRegularFile, sameFile, sameIdentity } from "@distributed-insert/files"
import type { ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { Effect, Result } from "effect"
import { claimedDatabases } from "./claimed-databases.ts"
import { ReportError } from "./errors.ts"
import type { ShardRegistry } from "./registry.ts"
import type { Router } from "./router.ts"

/** The report file of a run (`--report FILE`), which every shard appends to as its records become durable. */
export interface ReportTarget {
  readonly path: string
  /** The run's inputs, `-` for standard input: the report must not be one of them. */
  readonly inputs: ReadonlyArray<string>
}

/**
 * Empties (or creates) the report file, after making sure it is none of the files the run
 * reads or keeps: not a file the storage keeps for any database a registered shard claims
 * (selected or not, see `claimedDatabases`; its database file, lock, journals or temp files, see
 * `ShardStorage.fileRole`), not an input of the run, and a regular file (a FIFO would block
 * every append). Paths are compared after following symbolic links and by device and inode, so
 * `./x`, a link to it and `x` are one file.
 * To be called once the run has tried the locks of `databases`, the ones its shards write: if
 * another writer holds any of them, the file is left alone, since that run may be appending its
 * own report to this very file (the same command run twice), and emptying it would drop the
 * records it already reported as durable.
 */
export const startReportFile = (
  target: ReportTarget,
  databases: ReadonlyArray<ShardName>
): Effect.Effect<void, ReportError, ShardStorage | ShardRegistry | Router> =>
  Effect.gen(function* () {
    const refuse = (reason: string, cause?: unknown) => new ReportError({ path: target.path, reason, cause })
    const storage = yield* ShardStorage
    for (const database of databases) {
      const locked = yield* Effect.result(storage.lock(database))
      // A lock that could not be taken at all only fails its shard, later, as it always does.
      if (Result.isFailure(locked) && locked.failure.heldByAnother === true) {
        return yield* refuse(
          `${locked.failure.message}; nothing was loaded and the report was left as it was, since the run holding that lock may be appending its own report to it`,
          locked.failure
        )
      }
    }
    const role = yield* storage.fileRole(target.path, yield* claimedDatabases)
    if (role !== undefined) return yield* refuse(`it is ${role}: write the report to another file`)
    const attempt = <A>(run: () => Promise<A>) =>
      Effect.tryPromise({ try: run, catch: (cause) => refuse(cause instanceof Error ? cause.message : String(cause), cause) })
    for (const input of target.inputs) {
      if (yield* attempt(() => sameFile(target.path, input))) {
        return yield* refuse(`it is an input of this run (${input === "-" ? "standard input" : input}): write the report to another file`)
      }
    }
    const before = yield* attempt(() => identityOf(target.path))
    yield* attempt(async () => {
      const { file, stats } = await openRegularFile(target.path, { followLinks: true, mode: "append" })
      try {
        // A file swapped in between the checks above and this open is not the file they cleared.
        if (before !== undefined && !sameIdentity(before, stats)) throw new Error("it was replaced while being checked")
        await file.truncate(0)
      } finally {
        await file.close()
      }
    })
  })
