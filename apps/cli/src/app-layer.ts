import { lockWaitNotice, shardsLayer, SqlJsStorage } from "@distributed-insert/core"
import { Console } from "effect"
import { routers, shards } from "./plugins.ts"

/**
 * Everything a command needs: the registered shards, the router chain and sql.js storage in
 * `dataDir`. Commands that write pass `writer`: each shard they open is locked against other
 * writers, waiting up to `waitSeconds` (saying so on stderr); the others only read and never lock.
 */
export const appLayer = (dataDir: string, writer?: { readonly waitSeconds: number }) =>
  shardsLayer({
    shards,
    routers,
    storage: SqlJsStorage.layer(
      writer === undefined
        ? { dataDir }
        : { dataDir, writer: { waitSeconds: writer.waitSeconds, onWait: (busy) => Console.error(lockWaitNotice(busy, writer.waitSeconds)) } }
    )
  })
