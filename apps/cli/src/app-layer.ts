import { Router, ShardRegistry, SqlJsStorage } from "@distributed-insert/core"
import { Layer } from "effect"
import { routers, shards } from "./plugins.ts"

/** Everything a command needs: the registered shards, the router chain and sql.js storage in `dataDir`. */
export const appLayer = (dataDir: string) =>
  Router.layer(routers).pipe(
    Layer.provideMerge(ShardRegistry.layer(shards)),
    Layer.provideMerge(SqlJsStorage.layer({ dataDir }))
  )
