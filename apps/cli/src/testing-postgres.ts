import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { promisify } from "node:util"
import type { Shard } from "@distributed-insert/shard"
import { shards } from "./plugins.ts"
import type { JsonReport } from "./testing.ts"

// What the PostgreSQL end-to-end tests compare: rows as the engines' own clients read them
// (psql for PostgreSQL, the sqlite3 shell for the files), and reports without what differs by
// nature between two runs (times, where the database is).

const run = promisify(execFile)

/** Big enough for the dump of 100,000 rows. */
const MAX_BUFFER = 256 * 1024 * 1024

export const shardNamed = (name: string): Shard => {
  const shard = shards.find((candidate) => candidate.name === name)
  if (shard === undefined) throw new Error(`no shard ${name}`)
  return shard
}

/** `sql` through psql, the real client: its unaligned output, one line a row. */
export const psql = async (url: string, sql: string): Promise<string> =>
  (await run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], { maxBuffer: MAX_BUFFER })).stdout

/** `sql` through the sqlite3 shell on `file`: tab-separated, one line a row. */
export const sqlite = async (file: string, sql: string): Promise<string> =>
  (await run("sqlite3", ["-batch", "-noheader", "-separator", "\t", "-readonly", file, sql], { maxBuffer: MAX_BUFFER })).stdout

const linesOf = (text: string) => text.split("\n").filter((line) => line !== "")

/**
 * The columns of `shard`'s table whose values are floating point (REAL in SQLite, double precision
 * on PostgreSQL): their text is compared as the number it denotes, each engine printing a double
 * its own way (psql the shortest text that reads back exactly, the sqlite3 shell 17 digits).
 */
const realColumns = async (file: string, shard: Shard): Promise<ReadonlySet<string>> =>
  new Set(linesOf(await sqlite(file, `SELECT name FROM pragma_table_info('${shard.table}') WHERE upper(type) = 'REAL'`)))

/** One row's text with each floating point value written as JavaScript writes that double. */
const normalizeRow = (line: string, columns: ReadonlyArray<string>, reals: ReadonlySet<string>) =>
  line
    .split("\t")
    .map((value, at) => (reals.has(columns[at] ?? "") ? String(Number(value)) : value))
    .join("\t")

/**
 * `shard`'s rows in its PostgreSQL database (schema `database` of `url`), by primary key, read
 * with `COPY ... TO STDOUT`: the exact text PostgreSQL gives of every value.
 */
export const pgRows = async (url: string, shard: Shard, reals: ReadonlySet<string>, database: string = shard.name): Promise<ReadonlyArray<string>> => {
  const columns = shard.columns.map((column) => `"${column}"`).join(", ")
  const text = await psql(url, `COPY (SELECT ${columns} FROM "${database}"."${shard.table}" ORDER BY "${shard.primaryKey}") TO STDOUT`)
  return linesOf(text).map((line) => normalizeRow(line, shard.columns, reals))
}

/** `shard`'s rows in its SQLite file, by primary key, read with the sqlite3 shell; and its REAL columns. */
export const sqliteRows = async (file: string, shard: Shard): Promise<{ readonly rows: ReadonlyArray<string>; readonly reals: ReadonlySet<string> }> => {
  const reals = await realColumns(file, shard)
  // %!.17g: as many digits as a double has, so that the text reads back as the very same double.
  const columns = shard.columns.map((column) => (reals.has(column) ? `printf('%!.17g', "${column}")` : `"${column}"`)).join(", ")
  const text = await sqlite(file, `SELECT ${columns} FROM "${shard.table}" ORDER BY "${shard.primaryKey}"`)
  return { rows: linesOf(text).map((line) => normalizeRow(line, shard.columns, reals)), reals }
}

/**
 * What differs between two runs of one load by nature: when it ran, how long, where the database
 * is, and how many times a file was written back on the way (`checkpoints`: a PostgreSQL commit is
 * durable as it stands, so a load there writes nothing back and counts none).
 */
const VARYING = new Set(["startedAt", "finishedAt", "durationMs", "location", "checkpoints"])

/** A `--json` report without its times and locations, to compare a load on one engine with the same on another. */
export const comparableReport = (report: JsonReport): unknown =>
  JSON.parse(JSON.stringify(report), (key, value) => (VARYING.has(key) ? undefined : value))

/** A record's line of a `--report` file, as these tests compare it. */
export interface ReportRecord {
  readonly shard: string
  readonly position: number
  readonly line: unknown
  readonly status: string
  readonly errors: unknown
  readonly issues: unknown
}

type ReportLine = Partial<ReportRecord> & { readonly shard: string; readonly checkpoint?: { readonly through: number } }

/**
 * A `--report` file's records without the markers, by shard and position (the shards' lines
 * interleave as they run): shard, position, line, status, messages and issues of each.
 */
export const reportFileRecords = async (path: string): Promise<ReadonlyArray<ReportRecord>> =>
  linesOf(await readFile(path, "utf8"))
    .map((line): ReportLine => JSON.parse(line))
    .filter((line) => line.checkpoint === undefined)
    .map(({ shard, position, line, status, errors, issues }): ReportRecord => ({ shard, position: position ?? 0, line, status: status ?? "", errors, issues }))
    .sort((a, b) => (a.shard === b.shard ? a.position - b.position : a.shard < b.shard ? -1 : 1))
