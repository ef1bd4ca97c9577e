import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** packages/bench/dist: where the bundles of this package run from. */
const benchDist = dirname(fileURLToPath(import.meta.url))

export const repositoryRoot = resolve(benchDist, "../../..")

export const cliPackageDir = join(repositoryRoot, "apps/cli")

/**
 * The benchmark's own build of the CLI, made at the start of each run: a rebuild of
 * apps/cli/dist by anyone else during the run can then neither delete nor change what is being
 * timed. It sits under apps/cli/node_modules so that the bundle resolves sql.js (external, with
 * its wasm) from the CLI's own dependencies, as apps/cli/dist/main.js does; git ignores it.
 */
export const cliSnapshotDir = join(cliPackageDir, "node_modules/.cache/distributed-insert-bench")

/** The CLI bundle the benchmark times. */
export const cliBundle = join(cliSnapshotDir, "main.js")

/** The better-sqlite3 baseline, bundled beside the runner by this package's tsup config. */
export const betterSqlite3BaselineScript = join(benchDist, "better-sqlite3-baseline.js")

/** The naive node-postgres baseline, bundled beside the runner too. */
export const pgNaiveBaselineScript = join(benchDist, "pg-naive-baseline.js")

/** Committed results: `<size>.md`. */
export const resultsDir = resolve(benchDist, "../results")
