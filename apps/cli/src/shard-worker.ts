// Entry of the worker threads that `populate --workers on` runs each shard in: the same
// plugins as the main thread, rebuilt from imports since functions cannot cross threads.
import { openInput, serveShardWorker } from "@distributed-insert/core"
import { routers, shards } from "./plugins.ts"

serveShardWorker({ shards, routers, openInput })
