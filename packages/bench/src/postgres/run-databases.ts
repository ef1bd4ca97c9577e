import type { Shard } from "@distributed-insert/shard"
import type pg from "pg"
import type { RunDestination, StoredRows } from "../contestants/contestant.ts"
import { postgresIdentifier } from "./ddl.ts"
import { createDatabase, dropDatabase, type PostgresServer } from "./server.ts"

/** What the report shows for a run's part of the database names: each run has its own. */
export const RUN_PLACEHOLDER = "$RUN"

/** The PostgreSQL databases of each run, one per shard: created empty before it, dropped after. */
export interface RunDatabases extends RunDestination {
  /** Each shard's database URL for the run in `dataDir` (with `$RUN` in the names before it is prepared, for the report). */
  readonly urlsOf: (dataDir: string) => ReadonlyArray<{ readonly shard: Shard; readonly url: string }>
}

/**
 * Names are `di_bench_<pid>_<n>_<shard>`: the process id keeps two benchmarks on one server apart,
 * `n` counts this process's runs, so no run ever finds another's rows (or leftovers of an
 * interrupted benchmark: Ctrl-C leaves its databases behind, recognisable by that prefix).
 */
export const runDatabases = (server: PostgresServer, shards: ReadonlyArray<Shard>): RunDatabases => {
  const runTags = new Map<string, string>()
  let runs = 0
  const namesOf = (tag: string) => shards.map((shard) => ({ shard, database: `di_bench_${tag}_${shard.name}` }))
  const preparedNames = (dataDir: string) => {
    const tag = runTags.get(dataDir)
    if (tag === undefined) throw new Error(`no PostgreSQL databases were prepared for ${dataDir}`)
    return namesOf(tag)
  }
  return {
    urlsOf: (dataDir) => namesOf(runTags.get(dataDir) ?? RUN_PLACEHOLDER).map(({ shard, database }) => ({ shard, url: server.databaseUrl(database) })),
    prepare: async (dataDir) => {
      runTags.set(dataDir, `${process.pid}_${++runs}`)
      for (const { database } of preparedNames(dataDir)) await createDatabase(server, database)
    },
    inspect: async (dataDir) => {
      const rowsByShard = new Map<string, number>()
      let databaseBytes = 0
      for (const { shard, database } of preparedNames(dataDir)) {
        const stored = await server.withDatabase(database, (client) => tableRows(client, shard))
        rowsByShard.set(shard.name, stored.rows)
        databaseBytes += stored.bytes
      }
      return { rowsByShard, databaseBytes } satisfies StoredRows
    },
    release: async (dataDir) => {
      if (!runTags.has(dataDir)) return
      for (const { database } of preparedNames(dataDir)) await dropDatabase(server, database)
      runTags.delete(dataDir)
    }
  }
}

/**
 * The shard table's rows, and its size with its indexes and TOAST (`pg_total_relation_size`).
 * The table is looked for in every schema, not only on the search path: the engine may keep a
 * shard's tables in a schema of its own; one table of that name must exist.
 */
const tableRows = async (client: pg.Client, shard: Shard): Promise<{ readonly rows: number; readonly bytes: number }> => {
  const found = await client.query<{ schema: string }>(
    "SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
    [shard.table]
  )
  const [table, ...others] = found.rows
  if (table === undefined) throw new Error(`no table ${shard.table} in the ${shard.name} database`)
  if (others.length > 0) throw new Error(`${found.rows.length} tables named ${shard.table} in the ${shard.name} database (schemas ${found.rows.map((row) => row.schema).join(", ")})`)
  const qualified = `${postgresIdentifier(table.schema)}.${postgresIdentifier(shard.table)}`
  // bigint comes back as text: both fit a double easily here.
  const measured = await client.query<{ rows: string; bytes: string }>(`SELECT count(*)::text AS rows, pg_total_relation_size($1::regclass)::text AS bytes FROM ${qualified}`, [qualified])
  const [row] = measured.rows
  if (row === undefined) throw new Error(`counting ${qualified} returned nothing`)
  return { rows: Number(row.rows), bytes: Number(row.bytes) }
}
