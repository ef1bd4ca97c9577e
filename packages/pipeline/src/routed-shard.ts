import type { Shard, ShardName } from "@distributed-insert/shard"
import { Effect, type Result } from "effect"
import type { UnroutableModelError } from "./errors.ts"
import { Router } from "./router.ts"

/**
 * A shard with the database its writes go to, or why no database takes them. A run asks the
 * router once per shard (`routeShard`) and passes the answer along, to the locks, to the choice
 * of thread and to the opening of the database, in this thread or a worker's: it cannot differ
 * between them.
 */
export interface RoutedShard {
  readonly shard: Shard
  readonly database: Result.Result<ShardName, UnroutableModelError>
}

export const routeShard = (shard: Shard): Effect.Effect<RoutedShard, never, Router> =>
  Effect.gen(function* () {
    const router = yield* Router
    return { shard, database: yield* Effect.result(router.dbForWrite(shard.model)) }
  })
