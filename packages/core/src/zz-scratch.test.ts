import { it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { defineShard, populate, Router, ShardRegistry, ShardStorage, SqlJsStorage } from "./mod.ts"

const mk = (name: string) => defineShard({
  name, model: name.toUpperCase(), table: name,
  record: Schema.Struct({ id: Schema.Int }),
  primaryKey: "id",
  rules: () => [],
  migrations: [{ version: 1, description: "create", sql: `CREATE TABLE ${name} (id INTEGER PRIMARY KEY)` }],
  sample: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }]
})
const shards = [mk("a"), mk("b"), mk("c")]
for (let i = 0; i < 2; i++)
it.effect("interleave", () => Effect.gen(function* () {
  const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "scr-")))
  const events: string[] = []
  const traced = Layer.effect(ShardStorage, Effect.map(ShardStorage, (s) => ShardStorage.of({
    database: (n) => Effect.zipRight(Effect.sync(() => events.push(`${n}O `)), Effect.map(s.database(n), (db) => ({ ...db, 
 migrate: (m, ms) => Effect.zipRight(Effect.sync(() => events.push(`${n}M `)), db.migrate(m, ms)),
 persist: Effect.zipRight(Effect.sync(() => events.push(`${n}P `)), db.persist),
 insertBatch: (t, r) => Effect.zipRight(Effect.sync(() => events.push(`${n}`)), db.insertBatch(t, r)) })))
  })))
  const layer = Router.layer().pipe(Layer.provideMerge(ShardRegistry.layer(shards)), Layer.provideMerge(traced.pipe(Layer.provide(SqlJsStorage.layer({ dataDir: dir })))))
  yield* populate({ batchSize: 1 }).pipe(Effect.provide(layer))
  console.log(events.join(""))
  yield* populate({ batchSize: 1 }).pipe(Effect.provide(layer))
  console.log(events.join(""))
}))
