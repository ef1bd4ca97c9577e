import type { ShardName } from "@distributed-insert/shard"
import { Context } from "effect"
import { type DatabaseLocation, type Engine, engineOf } from "./database-location.ts"

/** Where one database is, and what put it there. */
export interface ConfiguredDatabase {
  readonly name: ShardName
  readonly location: DatabaseLocation
  /** `--database`, the configuration file, or the default `<data-dir>/<name>.db`. */
  readonly source: "flag" | "config" | "default"
}

/**
 * Where this run's databases are (resolve-databases.ts): each database the registered shards'
 * routing uses, the data directory, and the configuration file read, if any. The storage is
 * built from it (app-layer.ts); commands read it to say each database's engine.
 */
export class DatabaseSettings extends Context.Service<
  DatabaseSettings,
  {
    readonly dataDir: string
    /** The configuration file that was read; undefined when there was none. */
    readonly configFile: string | undefined
    /** In the order the shards claim them (registration order). */
    readonly databases: ReadonlyArray<ConfiguredDatabase>
  }
>()("distributed-insert/DatabaseSettings") {}

/** The engine of database `name`; undefined for a name no shard uses. */
export const engineIn = (settings: DatabaseSettings["Service"], name: string | null): Engine | undefined => {
  const found = settings.databases.find((database) => database.name === name)
  return found === undefined ? undefined : engineOf(found.location)
}
