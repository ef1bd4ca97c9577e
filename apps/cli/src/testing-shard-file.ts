import { access } from "node:fs/promises"
import { dirname } from "node:path"
import { ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { Effect, Schema } from "effect"
import { shards } from "./plugins.ts"

/** What a shard file holds. */
export type ShardFile =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Corrupt"; readonly reason: string }
  | { readonly _tag: "Sound"; readonly rows: ReadonlyMap<number, string> }

/**
 * Opens the shard file at `<dir>/<shard>.db` as a reader (no lock, nothing written), runs
 * SQLite's `PRAGMA integrity_check` and reads every row, by `id`, as its JSON text.
 */
export const readShardFile = async (path: string, shardName: string): Promise<ShardFile> => {
  const shard = shards.find((candidate) => candidate.name === shardName)
  if (shard === undefined) throw new Error(`no shard ${shardName}`)
  if (!(await access(path).then(() => true, () => false))) return { _tag: "Missing" }
  const read = Effect.gen(function* () {
    const storage = yield* ShardStorage
    const database = yield* storage.database(Schema.decodeSync(ShardName)(shardName))
    const problems = yield* database.integrityProblems
    if (problems.length > 0) return { _tag: "Corrupt", reason: `integrity_check: ${problems.join("; ")}` } satisfies ShardFile
    const rows = new Map<number, string>()
    for (const row of yield* database.select(shard, {})) rows.set(Number(row["id"]), JSON.stringify(row))
    return { _tag: "Sound", rows } satisfies ShardFile
  })
  return Effect.runPromise(
    read.pipe(
      // An unreadable file is not a reason to stop: it is what the harness looks for.
      Effect.catch((error) => Effect.succeed<ShardFile>({ _tag: "Corrupt", reason: error.message })),
      Effect.provide(SqlJsStorage.layer({ dataDir: dirname(path) }))
    )
  )
}
