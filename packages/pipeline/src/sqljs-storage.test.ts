import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { type ShardDatabase, ShardStorage } from "@distributed-insert/storage"
import { SqlJsStorage } from "@distributed-insert/storage-sqljs"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { populate } from "./populate.ts"
import { noteShard, tempDir, testLayer } from "./testing.ts"

// The sql.js storage's tests that run populate; the others are in storage-sqljs.

const notes = noteShard("notes")
const fileOf = (dir: string) => join(dir, "notes.db")

/** Runs `use` on the notes database of a storage layer of its own: a fresh sql.js database read from the file. */
const withDatabase = <A, E>(dataDir: string, use: (database: ShardDatabase) => Effect.Effect<A, E>) =>
  Effect.flatMap(ShardStorage, (storage) => Effect.flatMap(storage.database(notes.name), use)).pipe(
    Effect.provide(SqlJsStorage.layer({ dataDir }))
  )

describe("SqlJsStorage on a file that is not SQLite", () => {
  it.effect("fails to open with a StorageError naming the file, and never overwrites it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const garbage = new TextEncoder().encode("certainly not an SQLite database, ".repeat(40))
      yield* Effect.promise(() => writeFile(fileOf(dir), garbage))

      const error = yield* Effect.flip(withDatabase(dir, () => Effect.void))
      expect(error).toMatchObject({ _tag: "StorageError", operation: "open", shard: "notes", location: fileOf(dir) })
      expect(error.message).toContain(fileOf(dir))

      const report = yield* populate().pipe(Effect.provide(testLayer([notes], dir)))
      expect(report.shards[0]?.error?.operation).toBe("open")
      expect(new Uint8Array(yield* Effect.promise(() => readFile(fileOf(dir))))).toEqual(garbage)
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["notes.db"])
    })
  )
})
