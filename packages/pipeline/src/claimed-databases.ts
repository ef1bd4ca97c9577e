import type { ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { Effect, Option } from "effect"
import { ShardRegistry } from "./registry.ts"
import { Router } from "./router.ts"

/**
 * Every database a registered shard claims, in registration order without repeats: the one
 * named after it, and those its model's reads and writes are routed to (asked without hints),
 * as the router chain says. A model the router cannot route claims only its own name's: that
 * failure is reported where the model is used (`check`, a load), and here it must not make a
 * shard's file look like nobody's.
 */
export const claimedDatabases: Effect.Effect<ReadonlyArray<ShardName>, never, ShardRegistry | Router> = Effect.gen(function* () {
  const registry = yield* ShardRegistry
  const router = yield* Router
  const names: Array<ShardName> = []
  for (const shard of registry.shards) {
    names.push(shard.name)
    names.push(...Option.toArray(yield* Effect.option(router.dbForWrite(shard.model))))
    names.push(...Option.toArray(yield* Effect.option(router.dbForRead(shard.model))))
  }
  return [...new Set(names)]
})

/**
 * The databases the storage holds that no registered shard claims (`claimedDatabases`, whatever
 * a command selected): a removed shard's data, say, worth mentioning beside the shards. Neither
 * opened, locked nor changed (`ShardStorage.unclaimed`); a place the storage cannot look at is
 * a `StorageError`.
 */
export const unclaimedDatabases = Effect.gen(function* () {
  const storage = yield* ShardStorage
  return yield* storage.unclaimed(yield* claimedDatabases)
})
