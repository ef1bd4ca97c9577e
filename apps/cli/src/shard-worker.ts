// Entry of the worker threads that `populate --workers on` runs each shard in: the same
// plugins and storage as the main thread, rebuilt from imports since functions cannot cross threads.
import { serveShardWorker } from "@distributed-insert/pipeline"
import { workerStorage } from "./app-layer.ts"
import { routers, shards } from "./plugins.ts"

serveShardWorker({ shards, routers, storage: workerStorage })
