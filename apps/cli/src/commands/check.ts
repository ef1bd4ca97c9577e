import { checkShards, type ShardCheck, unclaimedDatabases } from "@distributed-insert/pipeline"
import type { UnclaimedDatabase } from "@distributed-insert/storage"
import { Console, Data, Effect, Result } from "effect"
import { Command } from "effect/cli"
import { appLayer } from "../app-layer.ts"
import { databaseOptions, databaseOptionsDetail, databaseOptionsHelp } from "../config/database-options.ts"
import { DatabaseSettings, engineIn } from "../config/database-settings.ts"
import { redactSecrets } from "../config/redact.ts"
import { json, jsonHelp, shardSelection, shardSelectionHelp } from "../common-options.ts"
import { type CommandHelp, withHelp } from "../help.ts"
import { jsonLocation, shownLocation } from "../render/location.ts"
import { renderTable } from "../render/table.ts"
import { unclaimedJson, unclaimedLines } from "../render/unclaimed.ts"
import { style } from "../style.ts"
import { terminalSafe } from "../terminal-text.ts"

/** What `check` looks at, per engine: `--help` says it, and the README's Engines. */
const ENGINE_CHECKS = [
  "SQLite files (sqlite): that the file opens as a SQLite database, SQLite's PRAGMA integrity_check, and the schema version in its migrations ledger.",
  "PostgreSQL databases (postgres): that the server answers and the shard database's schema opens; that its tables are still those its migrations made (columns, types, NOT NULL, primary key), that no index is invalid and no constraint NOT VALID (PostgreSQL keeps its own files sound: there is no file check to run); and the schema version in its migrations ledger."
]

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
  summary: "Check each shard's database: that it opens, the engine's integrity check, its schema version",
  details: [
    "Reads only: creates, locks and writes nothing. Exits 1 when any selected shard has a problem.",
    ...ENGINE_CHECKS,
    "Database files in the data directory that no registered shard uses (a removed shard's) are mentioned under the table, and left as they are: they are not a problem.",
    databaseOptionsDetail
  ],
  options: [shardSelectionHelp, ...databaseOptionsHelp, jsonHelp]
}

export const checkCommand = Command.make("check", { databases: databaseOptions, shard: shardSelection, json }, (options) =>
  Effect.gen(function* () {
    const results = yield* checkShards(options.shard)
    const settings = yield* DatabaseSettings
    const engineOf = (result: ShardCheck) => engineIn(settings, result.database) ?? null
    // An unclaimed database is information, not a problem: it never makes check fail. A data
    // directory that cannot be listed does, once the shards are printed.
    const unclaimed = yield* Effect.result(unclaimedDatabases)
    const found = Result.isSuccess(unclaimed) ? unclaimed.success : null
    if (options.json) {
      const shards = results.map((result) => ({
        ...result,
        engine: engineOf(result),
        location: jsonLocation(result.location),
        integrity: result.integrity === "ok" ? result.integrity : result.integrity.map(redactSecrets),
        problems: result.problems.map(redactSecrets)
      }))
      yield* Console.log(JSON.stringify({ shards, unclaimed: unclaimedJson(found) }, null, 2))
    } else yield* Console.log(renderChecks(results, engineOf, found ?? []))
    if (Result.isFailure(unclaimed)) return yield* unclaimed.failure
    const troubled = results.filter((result) => result.status === "problem").map((result) => result.shard)
    if (troubled.length > 0) return yield* new ShardProblemsError({ shards: troubled })
  }).pipe(Effect.provide(appLayer(options.databases)))
).pipe(withHelp(checkHelp))

/** The table, then each problem on a line of its own under it, then the databases no registered shard uses. */
const renderChecks = (
  results: ReadonlyArray<ShardCheck>,
  engineOf: (result: ShardCheck) => string | null,
  unclaimed: ReadonlyArray<UnclaimedDatabase>
): string => {
  const rows = results.map((result) => [
    result.shard,
    engineOf(result) ?? "-",
    result.location === null ? "" : `${terminalSafe(shownLocation(result.location))}${result.exists ? "" : " (missing)"}`,
    result.integrity !== "ok" ? `${result.integrity.length} ${result.integrity.length === 1 ? "problem" : "problems"}` : result.exists ? "ok" : "-",
    result.schema,
    result.status === "ok" ? style.green("ok") : style.red("problem")
  ])
  const problems = results.flatMap((result) => result.problems.map((problem) => terminalSafe(`${result.shard}: ${redactSecrets(problem)}`)))
  return [
    renderTable(["SHARD", "ENGINE", "LOCATION", "INTEGRITY", "SCHEMA", "STATUS"], rows),
    ...(problems.length === 0 ? [] : ["", ...problems]),
    ...(unclaimed.length === 0 ? [] : ["", ...unclaimedLines(unclaimed)])
  ].join("\n")
}
