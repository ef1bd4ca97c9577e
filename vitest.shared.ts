import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// Tests import workspace packages through their "source" export condition, so `turbo test`
// needs no prior build of the libraries.
export default defineConfig({
  resolve: { conditions: ["source", "import", "default"] },
  ssr: { resolve: { conditions: ["source", "import", "default"] } },
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 30_000,
    globalSetup: [fileURLToPath(new URL("./vitest.tmpdir.ts", import.meta.url))]
  }
})
