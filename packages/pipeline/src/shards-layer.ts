import type { Shard } from "@distributed-insert/shard"
import type { ShardStorage } from "@distributed-insert/storage"
import { Layer } from "effect"
import { ShardRegistry } from "./registry.ts"
import { type DatabaseRouter, Router } from "./router.ts"

/** Everything the pipeline needs: the registered shards, the router chain over them, and a storage. */
export const shardsLayer = <E>(options: {
  readonly shards: ReadonlyArray<Shard>
  readonly routers?: ReadonlyArray<DatabaseRouter>
  readonly storage: Layer.Layer<ShardStorage, E>
}) =>
  Router.layer(options.routers ?? []).pipe(
    Layer.provideMerge(ShardRegistry.layer(options.shards)),
    Layer.provideMerge(options.storage)
  )
