import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { tempDir } from "@distributed-insert/files/testing"
import { ShardName } from "@distributed-insert/shard"
import { RowOutcome, ShardStorage } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import type { LockWait } from "./shard-lock.ts"
import { SqlJsStorage } from "./sqljs-storage.ts"
import { queryFile } from "./testing.ts"

const name = ShardName.make("notes")

/** A storage layer of its own in `scope`: a writer when `writer` is given, else a reader. */
const storageIn = (dataDir: string, scope: Scope.Scope, writer?: LockWait) =>
  Effect.map(
    Layer.buildWithScope(SqlJsStorage.layer(writer === undefined ? { dataDir } : { dataDir, writer }), scope),
    Context.get(ShardStorage)
  )

const filesIn = (dir: string) => Effect.promise(() => readdir(dir).then((names) => names.sort()))

describe("SqlJsStorage with a writer lock", () => {
  it.live("a writer locks each database it opens until its layer closes; readers never lock and are never blocked", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const writerScope = yield* Scope.make()
      const writer = yield* storageIn(dir, writerScope, { waitSeconds: 0 })
      const database = yield* writer.database(name)
      yield* database.migrate(notes.model, notes.migrations)
      yield* database.insertBatch(notes, [[1, "one", 5]])
      yield* database.persist
      expect(yield* filesIn(dir)).toEqual(["notes.db", "notes.db.lock"])

      const reader = yield* Effect.flatMap(storageIn(dir, yield* Effect.scope), (storage) => storage.database(name))
      expect(yield* reader.select(notes, {})).toEqual([{ id: 1, body: "one", stars: 5 }])

      const second = yield* Effect.flip(Effect.flatMap(storageIn(dir, yield* Effect.scope, { waitSeconds: 0 }), (storage) => storage.database(name)))
      expect(second).toMatchObject({ _tag: "StorageError", operation: "lock", shard: "notes", location: join(dir, "notes.db") })
      expect(second.message).toContain(`locked by process ${process.pid}`)

      yield* Scope.close(writerScope, Exit.void)
      expect(yield* filesIn(dir)).toEqual(["notes.db"])
    })
  )

  it.live("a waiting writer reads the file only once it holds the lock, so it keeps the previous writer's rows", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const firstScope = yield* Scope.make()
      const first = yield* Effect.flatMap(storageIn(dir, firstScope, { waitSeconds: 0 }), (storage) => storage.database(name))
      let waiting = false
      const second = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function* () {
            const storage = yield* storageIn(dir, yield* Effect.scope, { waitSeconds: 30, onWait: () => Effect.sync(() => (waiting = true)) })
            const database = yield* storage.database(name)
            yield* database.migrate(notes.model, notes.migrations)
            const outcomes = yield* database.insertBatch(notes, [[1, "again", 1], [2, "two", 2]])
            // Whole, for the outside reader below (a plain persist would leave the row in the journal).
            yield* (database.persistWhole ?? database.persist)
            return outcomes
          })
        )
      )
      // The second writer is blocked before reading; the first one writes, then lets go.
      while (!waiting) yield* Effect.sleep("10 millis")
      yield* first.migrate(notes.model, notes.migrations)
      yield* first.insertBatch(notes, [[1, "one", 5]])
      yield* first.persist
      yield* Scope.close(firstScope, Exit.void)

      expect(yield* Fiber.join(second)).toEqual([RowOutcome.refused({ kind: "unique", column: "id", constraint: null, message: "UNIQUE constraint failed: notes.id" }), RowOutcome.inserted])
      expect(yield* queryFile(join(dir, "notes.db"), "SELECT id, body FROM notes ORDER BY id")).toEqual([
        [1, "one"],
        [2, "two"]
      ])
      expect(yield* filesIn(dir)).toEqual(["notes.db"])
    })
  )
})
