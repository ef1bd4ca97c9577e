import { spawnSync } from "node:child_process"
import type { Shard } from "@distributed-insert/shard"
import { createTableSql } from "../create-table-sql.ts"
import { databaseFileOf } from "../shard-inputs.ts"
import type { Contestant } from "./contestant.ts"

/** The sqlite3 shell's version when `sqlite3` is on the PATH, or null. */
export const sqlite3ShellVersion = (): string | null => {
  const probe = spawnSync("sqlite3", ["--version"], { encoding: "utf8" })
  return probe.status === 0 ? probe.stdout.trim() : null
}

export interface ShardCsv {
  readonly shard: Shard
  /** Only the shard's valid rows, prepared before timing. */
  readonly csvPath: string
}

/**
 * The practical limit: the sqlite3 shell importing rows already validated, one process per
 * shard, one after the other, each creating its table and importing its CSV in one transaction
 * (`.import` opens none of its own inside an open one). `-bail` makes any error exit non-zero.
 */
export const sqlite3ShellContestant = (csvFiles: ReadonlyArray<ShardCsv>): Contestant => ({
  id: "sqlite3-shell",
  label: "sqlite3 shell .import (valid rows)",
  commands: (dataDir) =>
    csvFiles.map(({ shard, csvPath }) => ({
      file: "sqlite3",
      args: ["-bail", databaseFileOf(dataDir, shard), "BEGIN;", `${createTableSql(shard)};`, ".mode csv", `.import '${csvPath}' ${shard.table}`, "COMMIT;"]
    }))
})
