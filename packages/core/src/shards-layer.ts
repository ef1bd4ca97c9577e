import { Layer } from "effect"
import { ShardRegistry } from "./registry.ts"
import { type DatabaseRouter, Router } from "./router.ts"
import type { Shard } from "./shard.ts"
import type { ShardStorage } from "./storage.ts"

/** Everything the pipeline needs: the registered shards, the router chain over them, and a storage. */
export const shardsLayer = (options: {
  readonly shards: ReadonlyArray<Shard>
  readonly routers?: ReadonlyArray<DatabaseRouter>
  readonly storage: Layer.Layer<ShardStorage>
}) =>
  Router.layer(options.routers ?? []).pipe(
    Layer.provideMerge(ShardRegistry.layer(options.shards)),
    Layer.provideMerge(options.storage)
  )
