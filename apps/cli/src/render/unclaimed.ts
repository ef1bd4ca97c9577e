import { basename } from "node:path"
import type { UnclaimedDatabase } from "@distributed-insert/storage"
import { isUrl } from "../config/database-location.ts"
import { terminalSafe } from "../terminal-text.ts"
import { jsonLocation, shownLocation } from "./location.ts"

/**
 * What `shards` and `check` say of the databases in the data directory that no registered
 * shard uses (a removed shard's data, say): information, not a problem, so it changes neither
 * the table nor the exit code, and nothing is done to them. One line each, for under the table:
 *
 *     unclaimed: data/legacy.db (and legacy.db-journal): no registered shard uses it; left as it is
 *     unclaimed: schema legacy of postgres://app@db1:5432/shop: no registered shard uses it; left as it is
 */
export const unclaimedLines = (unclaimed: ReadonlyArray<UnclaimedDatabase>): ReadonlyArray<string> =>
  unclaimed.map((database) => {
    // Named, because whoever moves the database away must move them with it.
    const sidecars = database.sidecars.length === 0 ? "" : ` (and ${database.sidecars.map((path) => basename(path)).join(", ")})`
    // Several databases share one PostgreSQL database, a schema each: its URL alone would name
    // them all alike, so the schema is named too.
    const where = isUrl(database.location) ? `schema ${database.name} of ${shownLocation(database.location)}` : shownLocation(database.location)
    return terminalSafe(`unclaimed: ${where}${sidecars}: no registered shard uses it; left as it is`)
  })

/**
 * The `unclaimed` field of `shards --json` and `check --json`: each database by `database` (its
 * name, as the shards' entries name theirs), `location` and `sidecars` (absolute paths); `null`
 * when the data directory could not be listed (the command then fails, saying why).
 */
export const unclaimedJson = (unclaimed: ReadonlyArray<UnclaimedDatabase> | null) =>
  unclaimed?.map(({ name, location, sidecars }) => ({ database: name, location: jsonLocation(location), sidecars })) ?? null
