import { tempDir } from "@distributed-insert/files/testing"
import { storageConformance } from "@distributed-insert/storage/testing"
import { SqlJsStorage } from "./sqljs-storage.ts"

// A place is a data directory; a writer takes its shards' locks, failing at once if they are held.
storageConformance("sql.js", {
  open: (dataDir, use) => SqlJsStorage.layer(use === "read" ? { dataDir } : { dataDir, writer: { waitSeconds: 0 } }),
  newPlace: tempDir,
  runsMigrationSql: true
})
