import { shardsLayer, SqlJsStorage } from "@distributed-insert/core"
import { routers, shards } from "./plugins.ts"

/** Everything a command needs: the registered shards, the router chain and sql.js storage in `dataDir`. */
export const appLayer = (dataDir: string) => shardsLayer({ shards, routers, storage: SqlJsStorage.layer({ dataDir }) })
