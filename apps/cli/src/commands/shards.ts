import { describeShards, ShardRegistry, type ShardStatus, unclaimedDatabases } from "@distributed-insert/pipeline"
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

export const shardsHelp: CommandHelp = {
  name: "shards",
  summary: "List the registered shards with their model, database engine and location, row count and schema version",
  details: [
    "Reads only: creates nothing. A shard whose database cannot be read is listed with its problem, and the exit code is then 1. A location's password is never shown.",
    "Database files in the data directory that no registered shard uses (a removed shard's) are mentioned under the table, and left as they are.",
    databaseOptionsDetail
  ],
  options: [shardSelectionHelp, ...databaseOptionsHelp, jsonHelp]
}

/** A shard as `shards` lists it: its status, or (for a database that cannot be read) its problem. */
export type ShardListing =
  | (ShardStatus & { readonly problem: null })
  | {
      readonly shard: string
      readonly model: string
      /** The database the storage could not open; null when the model could not be routed. */
      readonly database: string | null
      readonly location: string | null
      readonly exists: null
      readonly rows: null
      readonly schemaVersion: null
      readonly latestVersion: number
      readonly problem: string
    }

/** `shards` completed, and some shard's file could not be read: exit code 1. */
export class UnreadableShardsError extends Data.TaggedError("UnreadableShardsError")<{
  readonly shards: ReadonlyArray<string>
}> {
  override get message(): string {
    return `cannot read ${this.shards.length === 1 ? "shard" : "shards"} ${this.shards.join(", ")} (see PROBLEM)`
  }
}

/** Each shard on its own, so that one whose file is corrupt is listed with its problem and the others still are. */
const listShards = (selection: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const registry = yield* ShardRegistry
    // Resolved first, so that an unknown name is bad usage before anything is read.
    const wanted = new Set(yield* Effect.forEach(selection, registry.lookup))
    const selected = registry.shards.filter((shard) => wanted.size === 0 || wanted.has(shard))
    return yield* Effect.forEach(selected, (shard) =>
      describeShards([shard.name]).pipe(
        Effect.map(([status]): ReadonlyArray<ShardListing> => (status === undefined ? [] : [{ ...status, problem: null }])),
        Effect.catchTags({
          StorageError: (error) => Effect.succeed([unreadable(shard, error.shard === "*" ? null : error.shard, error.location, error.reason)]),
          UnroutableModelError: (error) => Effect.succeed([unreadable(shard, null, null, error.message)])
        })
      )
    ).pipe(Effect.map((listings) => listings.flat()))
  })

const unreadable = (
  shard: { readonly name: string; readonly model: string; readonly migrations: ReadonlyArray<unknown> },
  database: string | null,
  location: string | null,
  problem: string
): ShardListing => ({
  shard: shard.name,
  model: shard.model,
  database,
  location,
  exists: null,
  rows: null,
  schemaVersion: null,
  latestVersion: shard.migrations.length,
  problem
})

export const shardsCommand = Command.make("shards", { databases: databaseOptions, shard: shardSelection, json }, (options) =>
  Effect.gen(function* () {
    const listings = yield* listShards(options.shard)
    const settings = yield* DatabaseSettings
    const engineOf = (listing: ShardListing) => engineIn(settings, listing.database) ?? null
    // A data directory that cannot be listed fails the command, once the shards are printed.
    const unclaimed = yield* Effect.result(unclaimedDatabases)
    const found = Result.isSuccess(unclaimed) ? unclaimed.success : null
    if (options.json) {
      const shards = listings.map((listing) => ({
        ...listing,
        engine: engineOf(listing),
        location: jsonLocation(listing.location),
        problem: listing.problem === null ? null : redactSecrets(listing.problem)
      }))
      yield* Console.log(JSON.stringify({ shards, unclaimed: unclaimedJson(found) }, null, 2))
    } else yield* Console.log(renderShards(listings, engineOf, found ?? []))
    if (Result.isFailure(unclaimed)) return yield* unclaimed.failure
    const broken = listings.filter((listing) => listing.problem !== null).map((listing) => listing.shard)
    if (broken.length > 0) return yield* new UnreadableShardsError({ shards: broken })
  }).pipe(Effect.provide(appLayer(options.databases)))
).pipe(withHelp(shardsHelp))

/** The table, then the databases no registered shard uses, under it. */
const renderShards = (
  listings: ReadonlyArray<ShardListing>,
  engineOf: (listing: ShardListing) => string | null,
  unclaimed: ReadonlyArray<UnclaimedDatabase>
): string => {
  const anyProblem = listings.some((listing) => listing.problem !== null)
  const rows = listings.map((listing) => [
    listing.shard,
    listing.model,
    engineOf(listing) ?? "-",
    listing.location === null ? "" : `${terminalSafe(shownLocation(listing.location))}${listing.exists === false ? " (not created yet)" : ""}`,
    listing.rows ?? "-",
    listing.schemaVersion === null ? "-" : `${listing.schemaVersion}/${listing.latestVersion}`,
    ...(anyProblem ? [listing.problem === null ? "" : style.red(terminalSafe(redactSecrets(listing.problem)))] : [])
  ])
  const table = renderTable(["SHARD", "MODEL", "ENGINE", "LOCATION", "ROWS", "SCHEMA", ...(anyProblem ? ["PROBLEM"] : [])], rows)
  return [table, ...(unclaimed.length === 0 ? [] : ["", ...unclaimedLines(unclaimed)])].join("\n")
}
