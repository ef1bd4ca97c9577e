import { Effect } from "effect"
import type { ShardName } from "./shard-name.ts"
import { ShardStorage } from "./storage.ts"

/**
 * Takes the locks of the databases `names` one at a time, in name order, before any of them is
 * read or used. A writer storage keeps each lock until the run ends, so two runs taking theirs
 * all at once could each take one and wait for the other's until their wait ran out. Taken in
 * one global order, a run waits for another's lock while holding none that the other still
 * needs. A lock that cannot be taken is not reported here: the storage hands out the same
 * failure wherever the database is used, and that is where it is reported.
 */
export const lockInOrder = (names: Iterable<ShardName>) =>
  Effect.gen(function* () {
    const storage = yield* ShardStorage
    // One at a time, in order: the point of it.
    yield* Effect.forEach([...new Set(names)].sort(), (name) => Effect.result(storage.lock(name)), { concurrency: 1, discard: true })
  })
