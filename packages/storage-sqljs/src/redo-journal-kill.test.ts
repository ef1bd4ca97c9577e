import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { tempDir } from "@distributed-insert/files/testing"
import { ShardName } from "@distributed-insert/shard"
import { ShardStorage } from "@distributed-insert/storage"
import { notesModel as notes } from "@distributed-insert/storage/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqlJsStorage } from "./sqljs-storage.ts"

const writer = fileURLToPath(new URL("./fixtures/journal-writer.ts", import.meta.url))

/** Starts the writer in `dataDir`, SIGKILLs it once it has said `durable` rows are durable plus a random delay; the last id it said. */
const killWriter = (dataDir: string, durable: number, delayMs: number) =>
  Effect.promise(
    () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ["--conditions=source", writer, dataDir], { stdio: ["ignore", "pipe", "pipe"] })
        let said = 0
        let stderr = ""
        let buffered = ""
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString()
        })
        child.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString()
          const lines = buffered.split("\n")
          buffered = lines.pop() ?? ""
          for (const line of lines) said = Number(line)
          if (said >= durable && !child.killed) setTimeout(() => child.kill("SIGKILL"), delayMs)
        })
        child.on("error", reject)
        child.on("exit", (_, signal) => (signal === "SIGKILL" ? resolve(said) : reject(new Error(`the writer exited by itself: ${stderr}`))))
      })
  )

const idsIn = (dataDir: string) =>
  Effect.flatMap(ShardStorage, (storage) =>
    Effect.flatMap(storage.database(ShardName.make("notes")), (database) =>
      Effect.all([Effect.map(database.select(notes, {}), (rows) => rows.map((row) => Number(row["id"]))), database.integrityProblems])
    )
  ).pipe(Effect.provide(SqlJsStorage.layer({ dataDir })))

describe("a writer killed while it appends to its redo journal", () => {
  it.live("leaves a file and journal that open to every row it called durable, as a prefix of its rows, and a writer goes on from there", () =>
    Effect.gen(function* () {
      for (const delayMs of [0, 3, 11, 29]) {
        const dir = yield* tempDir
        const durable = yield* killWriter(dir, 500, delayMs)
        const [ids, problems] = yield* idsIn(dir)
        expect(problems).toEqual([])
        expect(ids.length).toBeGreaterThanOrEqual(durable)
        expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => index + 1))
        // Killed again while it replays and goes on, it loses nothing durable either.
        const again = yield* killWriter(dir, ids.length + 200, delayMs)
        const [after, afterProblems] = yield* idsIn(dir)
        expect(afterProblems).toEqual([])
        expect(after.length).toBeGreaterThanOrEqual(again)
        expect(after.slice(0, ids.length)).toEqual(ids)
      }
    }).pipe(Effect.scoped),
    120_000
  )
})
