import { Effect } from "effect"
import type { ShardName } from "./shard-name.ts"
import { ShardStorage } from "./storage.ts"

/**
 * Opens the databases `names` one at a time, in name order, before they are used concurrently.
 * A writer storage locks each database as it opens it and keeps the lock until the run ends, so
 * two runs opening theirs all at once could each take one and wait for the other's until their
 * wait ran out. Taken in one global order, a run waits for another's lock while holding none
 * that the other still needs. A database that fails to open is not reported here: the storage
 * hands out the same failure where the database is used, and that is where it is reported.
 */
export const openInLockOrder = (names: Iterable<ShardName>) =>
  Effect.gen(function* () {
    const storage = yield* ShardStorage
    // One at a time, in order: the point of it.
    yield* Effect.forEach([...new Set(names)].sort(), (name) => Effect.result(storage.database(name)), { concurrency: 1, discard: true })
  })
