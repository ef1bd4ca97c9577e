import { Effect } from "effect"
import { ShardRegistry } from "./registry.ts"

/** The shards a command works on: those named (by shard or model), in registration order; all when none are named. */
export const selectShards = (selection?: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const registry = yield* ShardRegistry
    if (selection === undefined || selection.length === 0) return registry.shards
    const chosen = new Set(yield* Effect.forEach(selection, registry.lookup))
    return registry.shards.filter((shard) => chosen.has(shard))
  })
