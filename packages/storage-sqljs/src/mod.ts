/**
 * The sql.js storage backend: each shard database is an ordinary SQLite file, held in memory
 * by sql.js (SQLite compiled to WebAssembly); a `persist` appends the rows landed since the last
 * one to the shard's redo journal (`<shard>.db.redo`, replayed on open), and the database is
 * written back whole, atomically, at `persistWhole` and whenever the journal cannot do. One writer per file at a time (a lock file); SQLite's refusals classified; the
 * text sql.js cannot give back refused at validation. Engine-neutral `createTable` migrations are
 * written in SQLite's dialect here (`sqliteMigrationSql`).
 *
 * @module
 */
export {
  acquireShardLock,
  inspectShardLock,
  type LockHolder,
  type LockWait,
  lockFileOf,
  lockWaitNotice,
  type ShardLockOptions,
  type ShardLockState
} from "./shard-lock.ts"
export { ShardLockedError } from "./shard-locked-error.ts"
export { SQLITE_KEYWORDS, sqliteCreateTable, sqliteIdentifier, sqliteMigrationSql } from "./sqlite-ddl.ts"
export { SqlJsStorage, type SqlJsStorageOptions } from "./sqljs-storage.ts"
export { SQLJS_TEXT_RULES } from "./storable-text.ts"
