import { dirname, join, resolve } from "node:path"
import type { ShardName } from "@distributed-insert/shard"
import { Effect, Option, Result } from "effect"
import { invocationDir } from "../common-options.ts"
import { UsageError } from "../errors.ts"
import { shownLocation } from "../render/location.ts"
import { ConfigError } from "./config-error.ts"
import { type ConfigFile, findConfigFile, keyPath } from "./config-file.ts"
import type { DatabaseFlags } from "./database-options.ts"
import { type DatabaseLocation, locationText, parseLocation } from "./database-location.ts"
import type { ConfiguredDatabase, DatabaseSettings } from "./database-settings.ts"

/**
 * Where each of `names` (the databases the registered shards' routing uses) is, by precedence:
 * `--database NAME=LOCATION`, then the configuration file's `databases`, then the default,
 * `<data-dir>/<name>.db`. The data directory is `--data-dir` (or `$DISTRIBUTED_INSERT_DATA_DIR`),
 * then the file's `dataDir`, then `./data`.
 *
 * A relative path is taken from where it was written: a flag's from the directory the command
 * runs in, the file's (`dataDir` and file locations) from the file's own directory, so that a
 * configuration means the same whatever directory it is used from.
 *
 * Refused, before anything is opened: a database name no shard uses (the message lists those
 * that are), a name given twice with `--database`, a location that is not one, and two databases
 * in one SQLite file (two copies of a file written back over each other would lose rows).
 */
export const resolveDatabases = (
  flags: DatabaseFlags,
  names: ReadonlyArray<ShardName>
): Effect.Effect<DatabaseSettings["Service"], ConfigError | UsageError> =>
  Effect.gen(function* () {
    const file = yield* findConfigFile(flags.config)
    const known = new Set<string>(names)
    const unknown = (name: string) =>
      `no registered shard's routing uses a database named ${JSON.stringify(name)} (the databases are ${names.join(", ")})`

    const fromFile = new Map<string, DatabaseLocation>()
    if (file !== undefined) {
      for (const [name, text] of Object.entries(file.databases)) {
        const fail = (reason: string) => new ConfigError({ file: file.path, reason: `${keyPath(["databases", name])}: ${reason}` })
        if (!known.has(name)) return yield* fail(unknown(name))
        fromFile.set(name, yield* Effect.mapError(Effect.fromResult(parseLocation(text, dirname(file.path))), fail))
      }
    }

    const fromFlags = new Map<string, DatabaseLocation>()
    for (const spec of flags.database) {
      const separator = spec.indexOf("=")
      // The location is never quoted back: it may hold a password.
      const name = separator < 0 ? "" : spec.slice(0, separator)
      const usage = (reason: string) => new UsageError({ reason: `${name === "" ? "--database" : `--database ${name}=...`}: ${reason}` })
      if (name === "") return yield* usage("expected NAME=LOCATION, such as users=archive/users.db or users=postgres://app@db1:5432/shop")
      if (!known.has(name)) return yield* usage(unknown(name))
      if (fromFlags.has(name)) return yield* usage(`database ${name} is given twice`)
      fromFlags.set(name, yield* Effect.mapError(Effect.fromResult(parseLocation(spec.slice(separator + 1), invocationDir())), usage))
    }

    const dataDir = Option.getOrElse(flags.dataDir, () => dataDirOf(file))
    const databases = names.map((name): ConfiguredDatabase => {
      const flagged = fromFlags.get(name)
      if (flagged !== undefined) return { name, location: flagged, source: "flag" }
      const configured = fromFile.get(name)
      if (configured !== undefined) return { name, location: configured, source: "config" }
      return { name, location: { _tag: "File", path: join(dataDir, `${name}.db`) }, source: "default" }
    })
    yield* Effect.fromResult(onePlaceEach(databases, file))
    return { dataDir, configFile: file?.path, databases }
  })

/** The configuration file's `dataDir`, from its own directory; else `./data` where the command runs. */
const dataDirOf = (file: ConfigFile | undefined): string =>
  file?.dataDir !== undefined && file.dataDir !== "" ? resolve(dirname(file.path), file.dataDir) : join(invocationDir(), "data")

/** Each database in a place of its own: the first two that share one are refused, saying where each came from. */
const onePlaceEach = (databases: ReadonlyArray<ConfiguredDatabase>, file: ConfigFile | undefined): Result.Result<void, UsageError> => {
  const byPlace = new Map<string, ConfiguredDatabase>()
  const from = (database: ConfiguredDatabase) =>
    database.source === "flag" ? "--database" : database.source === "config" ? shownLocation(file?.path ?? "the config file") : "the default <data-dir>/<name>.db"
  for (const database of databases) {
    const place = placeOf(database)
    const other = byPlace.get(place)
    if (other !== undefined) {
      return Result.fail(
        new UsageError({
          reason:
            `databases ${other.name} and ${database.name} would both be ${shownLocation(locationText(database.location))} ` +
            `(${other.name} from ${from(other)}, ${database.name} from ${from(database)}): each database needs a place of its own`
        })
      )
    }
    byPlace.set(place, database)
  }
  return Result.void
}

/**
 * What identifies a place: a file's absolute path; on a server, the database of the URL without
 * the password (one database, whoever logs in) and the schema PostgreSQL storage keeps each
 * shard database in, named after it, so several names may share one server database.
 */
const placeOf = ({ name, location }: ConfiguredDatabase): string => {
  if (location._tag === "File") return `file:${location.path}`
  const url = new URL(location.url)
  return `postgres://${url.hostname.toLowerCase()}:${url.port === "" ? "5432" : url.port}${url.pathname}#${name}`
}
