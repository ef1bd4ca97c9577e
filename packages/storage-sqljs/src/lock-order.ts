import type { ShardName } from "@distributed-insert/shard"
import type { StorageError } from "@distributed-insert/storage"
import { Effect } from "effect"

/**
 * Takes the locks of the databases `names` one at a time, in name order, before any of them is
 * read or used. A writer storage keeps each lock until the run ends, so two runs taking theirs
 * all at once could each take one and wait for the other's until their wait ran out. Taken in
 * one global order, a run waits for another's lock while holding none that the other still
 * needs. A lock that cannot be taken is not reported here: the storage hands out the same
 * failure wherever the database is used, and that is where it is reported.
 */
export const lockInOrder = (names: Iterable<ShardName>, lock: (name: ShardName) => Effect.Effect<void, StorageError>) =>
  // One at a time, in order: the point of it.
  Effect.forEach([...new Set(names)].sort(), (name) => Effect.ignore(lock(name)), { concurrency: 1, discard: true })
