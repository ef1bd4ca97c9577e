import { ShardName, tableDefinitionOf } from "@distributed-insert/shard"
import { seedShards } from "@distributed-insert/seed-shards"
import { ShardStorage } from "@distributed-insert/storage"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Result } from "effect"
import pg from "pg"
import { PgStorage } from "./pg-storage.ts"
import { pgColumnsOf, pgTableAgreementProblems } from "./table-agreement.ts"
import { skipWithoutPg, withTestDatabase } from "./testing.ts"

describe.skipIf(skipWithoutPg())("the seed's shards on PostgreSQL", () => {
  it.live("derive their tables, take their valid sample records (26 of 30), and their tables agree with their records", () =>
    Effect.gen(function* () {
      const url = yield* withTestDatabase()
      const databases = Object.fromEntries(seedShards.map((shard) => [shard.name, url]))
      const storage = yield* Effect.map(Layer.build(PgStorage.layer({ databases, writer: { waitSeconds: 0 } })), Context.get(ShardStorage))
      let inserted = 0
      for (const shard of seedShards) {
        const database = yield* storage.database(ShardName.make(shard.name))
        expect(yield* database.migrate(shard.model, shard.migrations)).toEqual(shard.migrations)
        const { validate } = shard.validatorsFor(database.textRules)
        const rows = shard.sample.map(validate).flatMap((validation) => (Result.isSuccess(validation) ? [validation.success] : []))
        const outcomes = yield* database.insertBatch(shard, rows)
        inserted += outcomes.filter((outcome) => outcome._tag === "Inserted").length
        expect(yield* database.integrityProblems).toEqual([])
        const expected = tableDefinitionOf(shard)
        if (Result.isFailure(expected)) return yield* Effect.die(expected.failure)
        const client = new pg.Pool({ connectionString: url })
        const columns = yield* Effect.promise(() => pgColumnsOf(client, shard.name, shard.table).finally(() => client.end()))
        expect(pgTableAgreementProblems(columns, expected.success)).toEqual([])
      }
      expect(inserted).toBe(26)
    })
  )
})
