import type { Shard } from "@distributed-insert/shard"
import { Context, Effect, Layer } from "effect"
import { ShardRegistryError, UnknownShardError } from "./errors.ts"

/** The registered shard plugins, in registration order (the order reports are printed in). */
export class ShardRegistry extends Context.Service<
  ShardRegistry,
  {
    readonly shards: ReadonlyArray<Shard>
    /** By shard name (`users`), model (`User`) or table, ignoring case: whatever a user types. */
    readonly lookup: (nameOrModel: string) => Effect.Effect<Shard, UnknownShardError>
  }
>()("@distributed-insert/pipeline/ShardRegistry") {
  static readonly layer = (shards: ReadonlyArray<Shard>): Layer.Layer<ShardRegistry, ShardRegistryError> =>
    Layer.effect(ShardRegistry, makeRegistry(shards))
}

const makeRegistry = (shards: ReadonlyArray<Shard>) =>
  Effect.gen(function* () {
    const byKey = new Map<string, Shard>()
    for (const shard of shards) {
      for (const key of new Set([shard.name, shard.model.toLowerCase(), shard.table.toLowerCase()])) {
        const taken = byKey.get(key)
        if (taken !== undefined) {
          return yield* new ShardRegistryError({ reason: `shards ${taken.name} and ${shard.name} both answer to "${key}"` })
        }
        byKey.set(key, shard)
      }
    }
    const known = shards.map((shard) => shard.name)
    return ShardRegistry.of({
      shards,
      lookup: (nameOrModel) => {
        const shard = byKey.get(nameOrModel.toLowerCase())
        return shard === undefined ? Effect.fail(new UnknownShardError({ name: nameOrModel, known })) : Effect.succeed(shard)
      }
    })
  })
