import { defineConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// As storage-pg's: the shared config's conditions without "import", which vitest passes on to the
// Node resolution of external packages, require() included; `pg` requires `pg-pool`, whose
// "import" export is an ES module wrapper, so that pg would extend a module namespace instead of
// the Pool class. The workspace's packages still resolve to their sources through "source".
export default defineConfig({
  ...shared,
  resolve: { conditions: ["source", "default"] },
  ssr: { resolve: { conditions: ["source", "default"] } }
})
