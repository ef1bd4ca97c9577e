// Written by `pnpm new-shard` (packages/scaffold); edits by hand are overwritten. The shard
// packages added to the seed's three, in the order they were added: `pnpm new-shard NAME ...`
// appends one (and adds its package to this app's dependencies), `pnpm new-shard --remove NAME`
// takes one out, and `pnpm new-shard --sync` rewrites this list from the shard packages present.
import type { Shard } from "@distributed-insert/shard"

export const addedShards: ReadonlyArray<Shard> = []
