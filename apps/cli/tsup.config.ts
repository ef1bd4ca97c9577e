import { defineConfig } from "tsup"

// One ESM bundle of the app and the workspace packages' sources (no separate library build
// needed to start it); npm dependencies such as sql.js and effect stay external.
export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  clean: true,
  noExternal: [/^@distributed-insert\//],
  esbuildOptions(options) {
    options.conditions = ["source", "import", "default"]
  }
})
