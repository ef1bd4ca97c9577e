import { defineConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

// The shared config's conditions without "import": vitest passes them on to the Node resolution
// of external packages, require() included, and `pg` requires `pg-pool`, whose "import" export is
// an ES module wrapper; required, it is a module namespace, not the Pool class pg extends. The
// workspace's packages still resolve to their sources through "source".
export default defineConfig({
  ...shared,
  resolve: { conditions: ["source", "default"] },
  ssr: { resolve: { conditions: ["source", "default"] } }
})
