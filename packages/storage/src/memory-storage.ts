import { randomUUID } from "node:crypto"
import type { AppliedMigration, Migration, Row, ShardName, SqlValue, TableDefinition } from "@distributed-insert/shard"
import { Effect, Layer } from "effect"
import { type ConflictMode, type Refusal, RowOutcome, type ShardDatabase, ShardStorage, type TableTarget, type UnclaimedDatabase } from "./storage.ts"

/** The name a memory storage gives itself where a backend is named (`StorageWorkerConfig.backend`). */
const BACKEND = "memory"

type StoredRow = Readonly<Record<string, SqlValue>>

/**
 * One table: its rows by primary key (see `keyOf`), and the columns a row must give a value,
 * when a `createTable` migration declared them. Created by that migration, or else by the first
 * `TableTarget` that writes it.
 */
interface StoredTable {
  readonly rows: Map<string, StoredRow>
  readonly notNull: ReadonlySet<string>
}

/** What a database holds: its tables by name and its migrations ledger, in the order applied. */
interface StoredDatabase {
  readonly tables: Map<string, StoredTable>
  readonly ledger: Array<AppliedMigration>
}

/**
 * Every place's databases, for the whole process: a storage closed and opened again on the same
 * place finds what it left there, as it would find a file. Only this thread sees them.
 */
const places = new Map<string, Map<ShardName, StoredDatabase>>()

const newPlace = Effect.acquireRelease(
  Effect.sync(() => `memory-${randomUUID()}`),
  (place) => Effect.sync(() => places.delete(place))
)

/**
 * A storage backend that keeps its databases in this thread's memory, to run the pipeline (and
 * the conformance suite) without an engine or a file.
 *
 * What it enforces is what it can know without running SQL: the primary key's uniqueness
 * (refusal kind `unique` on the key column), that a key is given (`not-null`), and the NOT NULL
 * columns of a table made by a `createTable` migration (engine-neutral, so it can read it).
 * Migrations are recorded in the ledger but their SQL is never run, so nothing SQL declares is
 * enforced (NOT NULL, CHECK, other UNIQUE columns, foreign keys), and a table that no
 * `createTable` made comes to be at the first `insertBatch` that names it, from its
 * `TableTarget`; until then it reads as empty.
 *
 * Commits are durable at once (`durability: "commit"`, `persist` does nothing), nothing needs
 * locking (the process is the only writer), it keeps no file (`fileRole` is always undefined, and
 * `unclaimed` lists the place's other databases without sidecars),
 * and it cannot be shared with a worker thread (`workerConfig` is undefined: the pipeline keeps
 * its shards in this thread).
 */
export const MemoryStorage = {
  backend: BACKEND,
  /** A place nobody has used yet, dropped with its databases when the scope closes. */
  newPlace,
  /**
   * The storage at `place`: what it writes stays there after the layer closes, for the next
   * layer on the same place, until the place is dropped (`newPlace`'s scope closes). Without a
   * place, a private one that lives as long as the layer.
   */
  layer: (place?: string): Layer.Layer<ShardStorage> =>
    Layer.effect(ShardStorage, place === undefined ? Effect.flatMap(newPlace, storageAt) : storageAt(place))
}

const storageAt = (place: string) =>
  Effect.sync(() => {
    // The same database object for the same name, for the layer's lifetime, as every backend does.
    const opened = new Map<ShardName, ShardDatabase>()
    const databaseOf = (name: ShardName): ShardDatabase => {
      const known = opened.get(name)
      if (known !== undefined) return known
      const database = memoryDatabase(place, name)
      opened.set(name, database)
      return database
    }
    return ShardStorage.of({
      database: (name) => Effect.sync(() => databaseOf(name)),
      lockAll: () => Effect.void,
      lock: () => Effect.void,
      workerConfig: undefined,
      fileRole: () => Effect.succeed(undefined),
      unclaimed: (names) => Effect.sync(() => unclaimedAt(place, names))
    })
  })

/** The databases written at `place` that are none of `names`, in name order; this storage keeps no files beside them. */
const unclaimedAt = (place: string, names: ReadonlyArray<ShardName>): ReadonlyArray<UnclaimedDatabase> => {
  const claimed = new Set(names)
  return [...(places.get(place)?.keys() ?? [])]
    .filter((name) => !claimed.has(name))
    .sort()
    .map((name) => ({ name, location: locationOf(place, name), sidecars: [] }))
}

const locationOf = (place: string, name: ShardName): string => `memory:${place}/${name}`

/**
 * Database `name` at `place`. Every method is one synchronous step, so it runs whole before any
 * other fiber's: that is the database's lock.
 */
const memoryDatabase = (place: string, name: ShardName): ShardDatabase => {
  const stored = (): StoredDatabase | undefined => places.get(place)?.get(name)
  // Created by its first write, as a file would be.
  const writable = (): StoredDatabase => {
    const existing = stored()
    if (existing !== undefined) return existing
    const created: StoredDatabase = { tables: new Map(), ledger: [] }
    const databases = places.get(place) ?? new Map<ShardName, StoredDatabase>()
    databases.set(name, created)
    places.set(place, databases)
    return created
  }
  return {
    name,
    location: locationOf(place, name),
    get exists() {
      return stored() !== undefined
    },
    durability: "commit",
    textRules: [],
    appliedMigrations: Effect.sync(() => (stored()?.ledger ?? []).map((entry) => ({ ...entry }))),
    migrate: (model, migrations) => Effect.sync(() => recordMigrations(writable(), model, migrations)),
    insertBatch: (target, rows, onConflict = "fail") => Effect.sync(() => insertRows(writable(), target, rows, onConflict)),
    count: (table) => Effect.sync(() => stored()?.tables.get(table)?.rows.size ?? 0),
    select: (target, query) => Effect.sync(() => selectRows(stored()?.tables.get(target.table), target, query)),
    integrityProblems: Effect.succeed([]),
    reset: Effect.sync(() => {
      const existing = stored()
      existing?.tables.clear()
      existing?.ledger.splice(0)
    }),
    persist: Effect.void
  }
}

const recordMigrations = (database: StoredDatabase, model: string, migrations: ReadonlyArray<Migration>): ReadonlyArray<Migration> => {
  const applied = new Set(database.ledger.filter((entry) => entry.model === model).map((entry) => entry.version))
  const pending = migrations.filter((migration) => !applied.has(migration.version))
  const appliedAt = new Date().toISOString()
  for (const { version, description, createTable } of pending) {
    if (createTable !== undefined) createStoredTable(database, createTable)
    database.ledger.push({ model, version, description, appliedAt })
  }
  return pending
}

/** An empty table with the NOT NULL columns of `definition`; as an engine would, it replaces nothing that exists. */
const createStoredTable = (database: StoredDatabase, definition: TableDefinition): void => {
  if (database.tables.has(definition.table)) return
  const notNull = new Set(definition.columns.filter((column) => column.notNull).map((column) => column.name))
  database.tables.set(definition.table, { rows: new Map(), notNull })
}

const insertRows = (
  database: StoredDatabase,
  target: TableTarget,
  rows: ReadonlyArray<Row>,
  onConflict: ConflictMode
): ReadonlyArray<RowOutcome> => {
  const table = database.tables.get(target.table) ?? { rows: new Map<string, StoredRow>(), notNull: new Set<string>() }
  database.tables.set(target.table, table)
  const keyIndex = target.columns.indexOf(target.primaryKey)
  const refusal = (kind: Refusal["kind"], message: string, column: string | null = kind === "other" ? null : target.primaryKey) =>
    RowOutcome.refused({ kind, column, constraint: null, message })
  // Each row is checked before anything of it is stored, so a refused row leaves no trace.
  return rows.map((row): RowOutcome => {
    if (row.length !== target.columns.length) {
      return refusal("other", `${row.length} values for the ${target.columns.length} columns of ${target.table}`)
    }
    const key = row[keyIndex] ?? null
    if (key === null) return refusal("not-null", `null value in primary key ${target.table}.${target.primaryKey}`)
    const missing = target.columns.find((column, index) => table.notNull.has(column) && (row[index] ?? null) === null)
    if (missing !== undefined) return refusal("not-null", `null value in column ${target.table}.${missing}, which is NOT NULL`, missing)
    const keyId = keyOf(key)
    const taken = table.rows.has(keyId)
    if (taken && onConflict === "fail") return refusal("unique", `duplicate key value violates primary key ${target.table}.${target.primaryKey}`)
    if (taken && onConflict === "skip") return RowOutcome.skipped
    table.rows.set(keyId, Object.fromEntries(target.columns.map((column, index) => [column, copyOf(row[index] ?? null)])))
    return taken ? RowOutcome.replaced : RowOutcome.inserted
  })
}

const selectRows = (
  table: StoredTable | undefined,
  target: TableTarget,
  query: { readonly key?: SqlValue; readonly limit?: number }
): ReadonlyArray<Readonly<Record<string, SqlValue>>> => {
  if (table === undefined) return []
  const found =
    query.key === undefined
      ? [...table.rows.values()].sort((left, right) => compareKeys(left[target.primaryKey] ?? null, right[target.primaryKey] ?? null))
      : keysMatching(query.key).flatMap((keyId) => {
          const row = table.rows.get(keyId)
          return row === undefined ? [] : [row]
        })
  const limited = query.limit === undefined ? found : found.slice(0, query.limit)
  return limited.map((row) => Object.fromEntries(target.columns.map((column) => [column, copyOf(row[column] ?? null)])))
}

/**
 * The stored keys `key` finds. A key typed as text that reads as a number also finds that
 * number, as an engine compares it with a numeric key column (`getRecord` is given keys as
 * typed by a user).
 */
const keysMatching = (key: SqlValue): ReadonlyArray<string> => {
  if (key === null) return []
  const asNumber = typeof key === "string" && key.trim() !== "" ? Number(key) : Number.NaN
  return Number.isFinite(asNumber) ? [keyOf(key), keyOf(asNumber)] : [keyOf(key)]
}

/** A key as a map key: values of different types never collide (`1` is not `"1"`). */
const keyOf = (key: Exclude<SqlValue, null>): string =>
  typeof key === "number" ? `n:${key}` : typeof key === "string" ? `s:${key}` : `b:${Buffer.from(key).toString("hex")}`

/** SQLite's order, which PostgreSQL's agrees with for keys of one type: numbers, then text (by UTF-8 bytes), then bytes. */
const compareKeys = (left: SqlValue, right: SqlValue): number => {
  const rank = (value: SqlValue) => (value === null ? 0 : typeof value === "number" ? 1 : typeof value === "string" ? 2 : 3)
  if (rank(left) !== rank(right)) return rank(left) - rank(right)
  if (typeof left === "number" && typeof right === "number") return left - right
  if (typeof left === "string" && typeof right === "string") return Buffer.compare(Buffer.from(left), Buffer.from(right))
  if (left instanceof Uint8Array && right instanceof Uint8Array) return Buffer.compare(left, right)
  return 0
}

/** Bytes are copied in and out, so that neither the caller's array nor a reader's can change what is stored. */
const copyOf = (value: SqlValue): SqlValue => (value instanceof Uint8Array ? new Uint8Array(value) : value)
