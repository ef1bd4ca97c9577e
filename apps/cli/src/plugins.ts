import type { DatabaseRouter } from "@distributed-insert/pipeline"
import { seedShards } from "@distributed-insert/seed-shards"
import type { Shard } from "@distributed-insert/shard"
import { addedShards } from "./added-shards.ts"

/**
 * The shard plugins this CLI serves, in the order reports list them: the seed's three, then
 * those `pnpm new-shard` added (added-shards.ts, which it writes), in the order they were added.
 */
export const shards: ReadonlyArray<Shard> = [...seedShards, ...addedShards]

/**
 * Routers consulted before the default one (each model in its own shard). Empty: the seed's
 * routing is the default. See `DatabaseRouter` in the pipeline for what one can decide.
 */
export const routers: ReadonlyArray<DatabaseRouter> = []
