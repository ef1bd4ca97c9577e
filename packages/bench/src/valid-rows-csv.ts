import { mkdir, open } from "node:fs/promises"
import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { Result } from "effect"
import type { ShardCsv } from "./contestants/sqlite3-shell.ts"
import type { ShardCensus } from "./count-checks.ts"
import { csvLine } from "./csv-row.ts"
import { readLineChunks } from "./line-chunks.ts"
import type { ShardInputFile } from "./shard-inputs.ts"

/** What a shard's input holds: its records, and how many of them pass the shard's validation. */
export interface InputCensus {
  readonly records: number
  readonly valid: number
}

/**
 * Reads a shard's NDJSON, validates every record with the shard plugin (the rules `populate`
 * applies) and writes only the valid rows to `csvPath`: the sqlite3 shell then imports what is
 * left of the work once validation is done. Prepared before any timing.
 */
export const writeValidRowsCsv = async (shard: Shard, inputPath: string, csvPath: string): Promise<InputCensus> => {
  const csv = await open(csvPath, "w")
  try {
    let records = 0
    let valid = 0
    for await (const lines of readLineChunks(inputPath)) {
      let text = ""
      for (const line of lines) {
        records++
        const validation = shard.validate(parseOrUndefined(line))
        if (Result.isSuccess(validation)) {
          valid++
          text += csvLine(validation.success)
        }
      }
      await csv.write(text)
    }
    return { records, valid }
  } finally {
    await csv.close()
  }
}

/** A line that is not JSON counts as an invalid record; `validate(undefined)` rejects it. */
export const parseOrUndefined = (line: string): unknown => {
  try {
    return JSON.parse(line)
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    return undefined
  }
}

/** For every shard: its census, and its valid rows written to `<csvDir>/<shard>.csv`. */
export const takeCensus = async (
  inputs: ReadonlyArray<ShardInputFile>,
  csvDir: string
): Promise<{ readonly census: ReadonlyArray<ShardCensus>; readonly csvFiles: ReadonlyArray<ShardCsv> }> => {
  await mkdir(csvDir, { recursive: true })
  const census: Array<ShardCensus> = []
  const csvFiles: Array<ShardCsv> = []
  for (const { shard, path } of inputs) {
    const csvPath = join(csvDir, `${shard.name}.csv`)
    census.push({ shard, ...(await writeValidRowsCsv(shard, path, csvPath)) })
    csvFiles.push({ shard, csvPath })
  }
  return { census, csvFiles }
}
