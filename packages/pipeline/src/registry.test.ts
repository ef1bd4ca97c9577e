import type { Shard } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ShardRegistry } from "./registry.ts"
import { noteShard } from "./testing.ts"

const alpha = noteShard("alpha")
const beta: Shard = { ...noteShard("beta"), model: "Bravo", table: "bravo_rows" }

const withRegistry = <A, E>(shards: ReadonlyArray<Shard>, use: (registry: ShardRegistry["Service"]) => Effect.Effect<A, E>) =>
  ShardRegistry.use(use).pipe(Effect.provide(ShardRegistry.layer(shards)))

describe("ShardRegistry", () => {
  it.effect("keeps the shards in registration order", () =>
    withRegistry([beta, alpha], (registry) => Effect.sync(() => expect(registry.shards.map((shard) => shard.name)).toEqual(["beta", "alpha"])))
  )

  it.effect.each(["beta", "BETA", "Bravo", "bravo", "bravo_rows", "BRAVO_ROWS"])("finds a shard by name, model or table, ignoring case: %s", (key) =>
    withRegistry([alpha, beta], (registry) =>
      Effect.gen(function* () {
        expect((yield* registry.lookup(key)).name).toBe("beta")
      })
    )
  )

  it.effect("an unknown name is an UnknownShardError listing the known shards", () =>
    withRegistry([alpha, beta], (registry) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(registry.lookup("gamma"))
        expect(error._tag).toBe("UnknownShardError")
        expect(error.name).toBe("gamma")
        expect(error.known).toEqual(["alpha", "beta"])
      })
    )
  )

  it.effect.each([
    ["the same name", [alpha, noteShard("alpha")], `shards alpha and alpha both answer to "alpha"`],
    ["a model that is another shard's name", [alpha, { ...noteShard("gamma"), model: "ALPHA" }], `shards alpha and gamma both answer to "alpha"`],
    ["the same table", [beta, { ...noteShard("gamma"), table: "Bravo_Rows" }], `shards beta and gamma both answer to "bravo_rows"`]
  ] as const)("two shards answering to %s fail the layer with a ShardRegistryError", ([_case, shards, reason]) =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(ShardRegistry.layer(shards)).pipe(Effect.scoped))
      expect(error._tag).toBe("ShardRegistryError")
      expect(error.reason).toBe(reason)
    })
  )
})
