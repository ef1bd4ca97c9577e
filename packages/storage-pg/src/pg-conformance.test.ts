import { storageConformance } from "@distributed-insert/storage/testing"
import { describe } from "@effect/vitest"
import { PgStorage } from "./pg-storage.ts"
import { skipWithoutPg, withTestDatabase } from "./testing.ts"

// A place is a fresh PostgreSQL database; every database name of the suite is a schema in it. A
// writer takes its databases' advisory locks, failing at once if another writer holds them.
describe.skipIf(skipWithoutPg())("PostgreSQL", () => {
  storageConformance("postgres", {
    open: (url, use, names) =>
      PgStorage.layer({ databases: Object.fromEntries(names.map((name) => [name, url])), ...(use === "write" ? { writer: { waitSeconds: 0 } } : {}) }),
    newPlace: withTestDatabase(),
    runsMigrationSql: true
  })
})
