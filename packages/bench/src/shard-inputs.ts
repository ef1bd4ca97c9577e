import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"

/** One shard's input file, as the CLI's `--input NAME=PATH` takes it. */
export interface ShardInputFile {
  readonly shard: Shard
  readonly path: string
}

/** Where the data set of a benchmark keeps each shard's records: `<dir>/<shard>.ndjson`. */
export const inputFilesIn = (dir: string, shards: ReadonlyArray<Shard>): ReadonlyArray<ShardInputFile> =>
  shards.map((shard) => ({ shard, path: join(dir, `${shard.name}.ndjson`) }))

/** `--input users=/path/users.ndjson ...`: the same arguments for the CLI and the baseline script. */
export const inputArguments = (inputs: ReadonlyArray<ShardInputFile>): ReadonlyArray<string> =>
  inputs.flatMap((input) => ["--input", `${input.shard.name}=${input.path}`])

/** The database file a contestant writes for a shard, as the CLI names it. */
export const databaseFileOf = (dataDir: string, shard: Shard): string => join(dataDir, `${shard.name}.db`)

/** Reads `NAME=PATH` arguments back, matching each name to a shard; throws on unknown or missing shards. */
export const parseInputArguments = (values: ReadonlyArray<string>, shards: ReadonlyArray<Shard>): ReadonlyArray<ShardInputFile> => {
  const pathByName = new Map<string, string>()
  for (const value of values) {
    const separator = value.indexOf("=")
    if (separator <= 0) throw new Error(`--input expects NAME=PATH, got "${value}"`)
    const name = value.slice(0, separator)
    if (!shards.some((shard) => shard.name === name)) throw new Error(`--input names an unknown shard "${name}"`)
    pathByName.set(name, value.slice(separator + 1))
  }
  return shards.map((shard) => {
    const path = pathByName.get(shard.name)
    if (path === undefined) throw new Error(`no --input for shard ${shard.name}`)
    return { shard, path }
  })
}
