import { defineConfig } from "tsup"

// Three self-contained bundles: the runner, and the better-sqlite3 and node-postgres baselines it
// starts as child processes. Like the CLI's bundle, the workspace packages come from their sources (the `source`
// condition) and Effect is bundled in, so the baseline loads the same validation code the same
// way, from one file. better-sqlite3 stays external (a native addon found next to its files).
export default defineConfig({
  entry: { run: "src/run.ts", "better-sqlite3-baseline": "src/better-sqlite3-baseline.ts", "pg-naive-baseline": "src/pg-naive-baseline.ts" },
  format: ["esm"],
  platform: "node",
  target: "node22",
  clean: true,
  splitting: false,
  noExternal: [/^@distributed-insert\//, /^effect/],
  // pg too: it requires its optional native binding (pg-native) lazily, which is not installed.
  external: ["better-sqlite3", "pg"],
  esbuildOptions(options) {
    options.conditions = ["source", "import", "default"]
  },
  esbuildPlugins: [
    {
      // The workspace packages never import sql.js on the bench's path; should one, declared
      // free of side effects, that unused import is dropped instead of making the bench depend
      // on sql.js (and load it) for nothing.
      name: "unused-sql-js",
      setup(build) {
        build.onResolve({ filter: /^sql\.js$/ }, (args) => ({ path: args.path, external: true, sideEffects: false }))
      }
    }
  ]
})
