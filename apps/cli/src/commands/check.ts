import { checkShards, type ShardCheck, unclaimedDatabases } from "@distributed-insert/pipeline"
import type { UnclaimedDatabase } from "@distributed-insert/storage"
import { Console, Data, Effect, Result } from "effect"
import { Command } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import { dataDir, dataDirHelp, displayPath, json, jsonHelp, shardSelection, shardSelectionHelp } from "../common-options.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { renderTable } from "../render/table.ts"
import { unclaimedJson, unclaimedLines } from "../render/unclaimed.ts"
import { style } from "../style.ts"

/** `check` completed and found something wrong with some shard: exit code 1. */
export class ShardProblemsError extends Data.TaggedError("ShardProblemsError")<{
  readonly shards: ReadonlyArray<string>
}> {
  override get message(): string {
    return `check found problems in ${this.shards.length === 1 ? "shard" : "shards"} ${this.shards.join(", ")}`
  }
}

export const checkHelp: CommandHelp = {
  name: "check",
  summary: "Check each shard's file: that it opens, SQLite's integrity check, its schema version",
  details: [
    "Reads only: creates, locks and writes nothing. Exits 1 when any selected shard has a problem.",
    "Database files in the data directory that no registered shard uses (a removed shard's) are mentioned under the table, and left as they are: they are not a problem."
  ],
  options: [shardSelectionHelp, dataDirHelp, jsonHelp]
}

export const checkCommand = Command.make("check", { dataDir, shard: shardSelection, json }, (options) =>
  Effect.gen(function* () {
    const results = yield* checkShards(options.shard)
    // An unclaimed database is information, not a problem: it never makes check fail. A data
    // directory that cannot be listed does, once the shards are printed.
    const unclaimed = yield* Effect.result(unclaimedDatabases)
    const found = Result.isSuccess(unclaimed) ? unclaimed.success : null
    yield* Console.log(options.json ? JSON.stringify({ shards: results, unclaimed: unclaimedJson(found) }, null, 2) : renderChecks(results, found ?? []))
    if (Result.isFailure(unclaimed)) return yield* unclaimed.failure
    const troubled = results.filter((result) => result.status === "problem").map((result) => result.shard)
    if (troubled.length > 0) return yield* new ShardProblemsError({ shards: troubled })
  }).pipe(Effect.provide(appLayer(options.dataDir)))
).pipe(withHelp(checkHelp))

/** The table, then each problem on a line of its own under it, then the databases no registered shard uses. */
const renderChecks = (results: ReadonlyArray<ShardCheck>, unclaimed: ReadonlyArray<UnclaimedDatabase>): string => {
  const rows = results.map((result) => [
    result.shard,
    result.location === null ? "" : `${displayPath(result.location)}${result.exists ? "" : " (missing)"}`,
    result.integrity !== "ok" ? `${result.integrity.length} ${result.integrity.length === 1 ? "problem" : "problems"}` : result.exists ? "ok" : "-",
    result.schema,
    result.status === "ok" ? style.green("ok") : style.red("problem")
  ])
  const problems = results.flatMap((result) => result.problems.map((problem) => `${result.shard}: ${problem}`))
  return [
    renderTable(["SHARD", "FILE", "INTEGRITY", "SCHEMA", "STATUS"], rows),
    ...(problems.length === 0 ? [] : ["", ...problems]),
    ...(unclaimed.length === 0 ? [] : ["", ...unclaimedLines(unclaimed)])
  ].join("\n")
}
