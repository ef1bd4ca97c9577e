/**
 * The PostgreSQL storage backend: each shard database is a schema of its name in a PostgreSQL
 * database (several may share one), reached by a `postgres://` URL. Batches are COPied into a
 * staging table and inserted set-based, each row still atomic on its own, refusals classified by
 * SQLSTATE with PostgreSQL's own messages; one writer per shard database (an advisory lock);
 * commits durable at once. Engine-neutral `createTable` migrations are written in PostgreSQL's
 * dialect (`postgresMigrationSql`); a SQL migration may carry its own (`dialects.postgres`).
 * URLs are shown without their password (`redactUrl`), in every message and location.
 *
 * @module
 */
export type { PgLockWait } from "./pg-lock.ts"
export { PgStorage, type PgStorageOptions } from "./pg-storage.ts"
export { PG_TEXT_RULES } from "./pg-text-rules.ts"
export { POSTGRES_KEYWORDS, POSTGRES_TYPES, postgresCreateTable, postgresIdentifier, postgresMigrationSql } from "./postgres-ddl.ts"
export { redactUrl } from "./redact-url.ts"
export { type PgColumn, pgTableAgreementProblems } from "./table-agreement.ts"
