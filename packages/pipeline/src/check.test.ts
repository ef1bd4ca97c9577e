import { readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { checkShards } from "./check.ts"
import { populate } from "./populate.ts"
import { noteShard, queryFile, tempDir, testLayer } from "./testing.ts"

const withIndex = (shard: Shard): Shard => ({
  ...shard,
  migrations: [...shard.migrations, { version: 2, description: "index stars", sql: `CREATE INDEX ${shard.table}_stars ON ${shard.table} (stars)` }]
})

const good = noteShard("good")
const truncated = noteShard("truncated")
const garbage = noteShard("garbage")
const missing = noteShard("missing")
const older = withIndex(noteShard("older"))
const shards = [good, truncated, garbage, missing, older]

/** Every file in `dir` with its bytes, to prove a check changed nothing. */
const snapshot = (dir: string) =>
  Effect.promise(async () => {
    const names = (await readdir(dir)).sort()
    return Promise.all(names.map(async (name) => [name, new Uint8Array(await readFile(join(dir, name)))] as const))
  })

/** Good, a good one cut in half, garbage, none, and one a migration behind. */
const fiveShards = Effect.gen(function* () {
  const dir = yield* tempDir
  // The older file is written by a plugin that had only its first migration.
  const asReleased: Shard = { ...older, migrations: older.migrations.slice(0, 1) }
  yield* populate().pipe(Effect.provide(testLayer([good, truncated, asReleased], dir)))
  const whole = yield* Effect.promise(() => readFile(join(dir, "truncated.db")))
  yield* Effect.promise(() => writeFile(join(dir, "truncated.db"), whole.subarray(0, whole.length / 2)))
  yield* Effect.promise(() => writeFile(join(dir, "garbage.db"), "certainly not an SQLite database\n".repeat(200)))
  return dir
})

describe("checkShards", () => {
  it.effect("reports each shard's file, integrity and schema, and changes no file", () =>
    Effect.gen(function* () {
      const dir = yield* fiveShards
      const before = yield* snapshot(dir)
      const results = yield* checkShards().pipe(Effect.provide(testLayer(shards, dir)))

      const byShard = new Map(results.map((result) => [result.shard, result]))
      expect(results.map((result) => [result.shard, result.status])).toEqual([
        ["good", "ok"],
        ["truncated", "problem"],
        ["garbage", "problem"],
        ["missing", "problem"],
        ["older", "problem"]
      ])
      expect(byShard.get("good")).toEqual({
        shard: "good",
        model: "Good",
        database: "good",
        location: join(dir, "good.db"),
        exists: true,
        integrity: "ok",
        schemaVersion: 1,
        latestVersion: 1,
        schema: "up to date",
        status: "ok",
        problems: []
      })
      // SQLite refuses a file shorter than its header says, before any integrity check can run.
      expect(byShard.get("truncated")).toMatchObject({
        exists: true,
        integrity: ["cannot open: database disk image is malformed"],
        schemaVersion: null,
        schema: "unknown",
        problems: ["cannot open: database disk image is malformed"]
      })
      expect(byShard.get("garbage")).toMatchObject({
        exists: true,
        integrity: ["cannot open: file is not a database"],
        schemaVersion: null,
        schema: "unknown",
        problems: ["cannot open: file is not a database"]
      })
      expect(byShard.get("missing")).toMatchObject({
        exists: false,
        integrity: "ok",
        schemaVersion: 0,
        schema: "behind by 1",
        problems: ["the database does not exist yet (no file, or no schema on its PostgreSQL server): migrate or populate creates it"]
      })
      expect(byShard.get("older")).toMatchObject({
        exists: true,
        integrity: "ok",
        schemaVersion: 1,
        latestVersion: 2,
        schema: "behind by 1",
        problems: ["schema behind by 1: run migrate"]
      })
      expect(yield* snapshot(dir)).toEqual(before)
    })
  )

  it.effect("lists what SQLite's integrity check finds in a file that opens but has a damaged page", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const damaged = noteShard("damaged")
      yield* populate().pipe(Effect.provide(testLayer([damaged], dir)))
      const file = join(dir, "damaged.db")
      const rootPage = Number((yield* queryFile(file, "SELECT rootpage FROM sqlite_master WHERE name = 'damaged'"))[0]?.[0])
      const bytes = new Uint8Array(yield* Effect.promise(() => readFile(file)))
      // Keep the page's b-tree header, overwrite its cells: the cell pointers now point nowhere.
      const pageSize = 4096
      bytes.fill(0xff, (rootPage - 1) * pageSize + 8, rootPage * pageSize)
      yield* Effect.promise(() => writeFile(file, bytes))

      const [result] = yield* checkShards().pipe(Effect.provide(testLayer([damaged], dir)))
      expect(result).toMatchObject({ exists: true, schemaVersion: 1, schema: "up to date", status: "problem" })
      const integrity = result?.integrity === "ok" ? [] : (result?.integrity ?? [])
      expect(integrity).toContainEqual(expect.stringMatching(new RegExp(`^Tree ${rootPage} page ${rootPage} cell 0: Offset 65535 out of range`)))
      expect(integrity).toContain("NULL value in damaged.body")
      expect(result?.problems).toEqual(integrity.map((problem) => `integrity: ${problem}`))
    })
  )

  it.effect("a file migrated further than the plugin declares is ahead, with the unknown version", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const notes = noteShard("notes")
      yield* populate().pipe(Effect.provide(testLayer([withIndex(notes)], dir)))
      const [result] = yield* checkShards().pipe(Effect.provide(testLayer([notes], dir)))
      expect(result).toMatchObject({
        schemaVersion: 2,
        latestVersion: 1,
        schema: "ahead (unknown version 2)",
        status: "problem",
        problems: ["schema ahead (unknown version 2): a newer Notes plugin migrated this file"]
      })
    })
  )

  it.effect("checks only the selected shards, by shard or model name, in registration order", () =>
    Effect.gen(function* () {
      const dir = yield* fiveShards
      const results = yield* checkShards(["Older", "good"]).pipe(Effect.provide(testLayer(shards, dir)))
      expect(results.map((result) => result.shard)).toEqual(["good", "older"])
    })
  )

  it.effect("creates nothing in a data directory that does not exist", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const results = yield* checkShards().pipe(Effect.provide(testLayer([good], join(dir, "nowhere"))))
      expect(results.map((result) => result.exists)).toEqual([false])
      expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
    })
  )
})
