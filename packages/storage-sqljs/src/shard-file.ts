import { access } from "node:fs/promises"
import { dirname } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { Effect } from "effect"
import { SqlJsStorage } from "./sqljs-storage.ts"

/** What a shard file holds. */
export type ShardFile =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Corrupt"; readonly reason: string }
  | { readonly _tag: "Sound"; readonly rows: ReadonlyMap<number, string> }

/**
 * Opens the shard file of `shard` at `path` (`<dir>/<shard>.db`) as a reader (no lock, nothing
 * written), runs SQLite's `PRAGMA integrity_check` and reads every row, by `id`, as its JSON text.
 * It reads with the storage rather than through the CLI: a harness judges the files the CLI
 * leaves, not what the CLI says about them.
 */
export const readShardFile = async (path: string, shard: Shard): Promise<ShardFile> => {
  if (!(await access(path).then(() => true, () => false))) return { _tag: "Missing" }
  const read = Effect.gen(function* () {
    const storage = yield* ShardStorage
    const database = yield* storage.database(shard.name)
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
