import type { Shard } from "@distributed-insert/shard"
import { sqliteMigrationSql } from "@distributed-insert/storage-sqljs/sqlite-ddl"

/**
 * The SQLite DDL of a shard's first migration, which creates its table, written as `populate`'s
 * storage writes it (a derived `createTable` in SQLite's dialect): every contestant starts from
 * the same table. Imported from the DDL module alone, so the bundles take nothing else of the
 * sql.js backend.
 */
export const createTableSql = (shard: Shard): string => {
  const [createTable] = shard.migrations
  if (createTable === undefined) throw new Error(`shard ${shard.name} declares no migration to create its table`)
  return sqliteMigrationSql(createTable)
}
