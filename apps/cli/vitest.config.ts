import { defineConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// The shared config's conditions without "import", as in packages/storage-pg: the PostgreSQL tests
// import `@distributed-insert/storage-pg/testing` and `pg`, and vitest passes the conditions on to
// the Node resolution of external packages, require() included; `pg` requires `pg-pool`, whose
// "import" export is an ES module wrapper, a module namespace when required, not the Pool class pg
// extends. The workspace's packages still resolve to their sources through "source".
export default defineConfig({
  ...shared,
  resolve: { conditions: ["source", "default"] },
  ssr: { resolve: { conditions: ["source", "default"] } }
})
