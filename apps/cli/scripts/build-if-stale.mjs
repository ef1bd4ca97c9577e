// Builds the CLI bundle (tsup) only when what goes into it changed since the last build, so
// that `pnpm --filter cli start` and the installed binary start in well under a second once
// built, and a fresh clone builds on its first run. Plain JavaScript: it runs before anything
// is built. Run directly (`node scripts/build-if-stale.mjs [--force]`) or imported by the bin.
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { closeSync, existsSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const app = fileURLToPath(new URL("..", import.meta.url))
const stampFile = join(app, "dist", ".sources.sha256")
const lockFile = join(app, ".build.lock")

/** Every source file under `dir` that the bundle can include (tests cannot). */
const sourcesUnder = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !entry.name.endsWith(".test.ts"))
        .map((entry) => join(entry.parentPath, entry.name))
    : []

/** The packages the bundle inlines: this app and its workspace dependencies, transitively. */
const workspacePackages = (dir, found = new Set()) => {
  if (found.has(dir)) return found
  found.add(dir)
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
  for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
    if (String(version).startsWith("workspace:")) workspacePackages(installedPackage(dir, manifest.name, name), found)
  }
  return found
}

/** The folder of workspace package `name` as `dir` has it installed; a message saying what to run when it is missing. */
const installedPackage = (dir, dependent, name) => {
  try {
    return realpathSync(join(dir, "node_modules", name))
  } catch (error) {
    if (error.code !== "ENOENT") throw error
    // A shard package deleted by hand is still registered with the CLI until the registration is synced.
    const shardHint = name.startsWith("@distributed-insert/shard-") ? "; if you deleted that shard package, run `pnpm new-shard --sync`" : ""
    throw new Error(`${dependent} depends on ${name}, which is not installed: run \`pnpm install\`${shardHint}`)
  }
}

const workspaceRoot = () => {
  for (let dir = app; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir
  return app
}

/**
 * A hash of the contents and paths of the bundle's inputs: every workspace package's sources
 * and manifest, the build config, and the lockfile (a dependency upgrade changes the bundle).
 * Contents rather than times: a checkout or a copy that touches files does not force a build.
 */
const sourcesHash = () => {
  const root = workspaceRoot()
  const files = [join(app, "tsup.config.ts"), join(root, "pnpm-lock.yaml")]
  for (const dir of workspacePackages(app)) files.push(join(dir, "package.json"), ...sourcesUnder(join(dir, "src")))
  const hash = createHash("sha256")
  for (const file of files.filter((path) => existsSync(path)).sort()) {
    hash.update(`${relative(root, file)}\0`)
    hash.update(readFileSync(file))
    hash.update("\0")
  }
  return hash.digest("hex")
}

const builtEntries = ["main.js", "shard-worker.js"].map((entry) => join(app, "dist", entry))

const isFresh = (hash) =>
  existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === hash && builtEntries.every((entry) => existsSync(entry))

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/**
 * One build at a time: tsup empties dist/ first, which would pull the bundle from under a
 * second launch building or starting at the same moment. A lock older than this is left
 * over by a killed build.
 */
const STALE_LOCK_MS = 120_000

const withBuildLock = (work) => {
  for (;;) {
    try {
      closeSync(openSync(lockFile, "wx"))
      break
    } catch (error) {
      if (error.code !== "EEXIST") throw error
      try {
        if (Date.now() - statSync(lockFile).mtimeMs > STALE_LOCK_MS) rmSync(lockFile, { force: true })
      } catch {
        // Removed by its owner in the meantime: try again.
      }
      sleep(100)
    }
  }
  try {
    return work()
  } finally {
    rmSync(lockFile, { force: true })
  }
}

const runTsup = () => {
  const require = createRequire(join(app, "package.json"))
  const manifest = require.resolve("tsup/package.json")
  const cli = join(dirname(manifest), JSON.parse(readFileSync(manifest, "utf8")).bin.tsup)
  // tsup's own output goes to stderr: stdout belongs to the command being started.
  const built = spawnSync(process.execPath, [cli, "--silent"], { cwd: app, stdio: ["ignore", 2, 2] })
  if (built.status !== 0) {
    throw new Error(`building the CLI failed (tsup exited with ${built.status ?? built.signal}); run \`pnpm --filter cli build\` to see why`)
  }
}

/** Builds the bundle unless it is already built from the current sources (or `force`). Returns whether it built. */
export const buildIfStale = ({ force = false, quiet = false } = {}) => {
  if (!force && isFresh(sourcesHash())) return false
  return withBuildLock(() => {
    // Another launch may have built it while this one waited for the lock.
    const hash = sourcesHash()
    if (!force && isFresh(hash)) return false
    if (!quiet) process.stderr.write("building the CLI (first run, or its sources changed)...\n")
    runTsup()
    writeFileSync(stampFile, `${hash}\n`)
    return true
  })
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildIfStale({ force: process.argv.includes("--force"), quiet: process.argv.includes("--quiet") })
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}
