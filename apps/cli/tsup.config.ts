import { defineConfig } from "tsup"

// One ESM bundle of the app with the workspace packages' sources and Effect: no library build
// is needed to start it, and start-up reads one file instead of hundreds of modules.
// sql.js stays external: it locates its wasm next to its own files.
export default defineConfig({
  // The worker threads of `populate --workers on` start from their own entry.
  entry: { main: "src/main.ts", "shard-worker": "src/shard-worker.ts" },
  format: ["esm"],
  platform: "node",
  target: "node22",
  clean: true,
  noExternal: [/^@distributed-insert\//, /^effect/, /^@effect\//],
  esbuildOptions(options) {
    options.conditions = ["source", "import", "default"]
  }
})
