import { existsSync } from "node:fs"
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

/**
 * The CLI as the harness runs it: a copy of its built bundle in a folder of the harness's own,
 * made when the harness starts. A run takes minutes, and a rebuild of the CLI meanwhile (a
 * `pnpm test` started beside it: tsup empties dist/ first) used to make its re-runs fail with
 * `Cannot find module .../dist/main.js`; the copy cannot be rebuilt under it.
 */
export interface CliBundleCopy {
  /** The copy's entry point: `node <main> <args>` runs the CLI. */
  readonly main: string
  /** Removes the copy's folder. */
  readonly remove: () => Promise<void>
}

/**
 * Files of the CLI's build (see its scripts/build-if-stale.mjs): the hash of the sources a
 * build was made from, written once the build is complete (tsup's clean deletes it first), and
 * the lock held while a build runs.
 */
const BUILD_STAMP = join("dist", ".sources.sha256")
const BUILD_LOCK = ".build.lock"
/** How long to wait for a build under way to finish: longer than a build takes. */
const BUILD_WAIT_MS = 120_000

/** The CLI package's folder, found through this package's dependency on it. */
const cliPackageDir = (): string => dirname(createRequire(import.meta.url).resolve("@distributed-insert/cli/package.json"))

const readStamp = (cliDir: string): Promise<string | null> => readFile(join(cliDir, BUILD_STAMP), "utf8").catch(() => null)

/**
 * Copies the JavaScript files of dist/ (the entries, the worker's and their shared chunks)
 * from one complete build: when the build stamp is not the same before and after the copy,
 * a build ran in between and the copy may mix two builds, so it is made again.
 */
const copyCompleteBuild = async (cliDir: string, targetDist: string): Promise<void> => {
  const dist = join(cliDir, "dist")
  const deadline = Date.now() + BUILD_WAIT_MS
  for (;;) {
    const stampBefore = await readStamp(cliDir)
    if (stampBefore !== null) {
      await rm(targetDist, { recursive: true, force: true })
      await mkdir(targetDist, { recursive: true })
      const copied = await readdir(dist)
        .then((names) => Promise.all(names.filter((name) => name.endsWith(".js")).map((name) => copyFile(join(dist, name), join(targetDist, name)))))
        .then(() => true, () => false)
      if (copied && (await readStamp(cliDir)) === stampBefore) return
    } else if (!existsSync(join(cliDir, BUILD_LOCK))) {
      throw new Error(`the CLI is not built (no ${join(cliDir, BUILD_STAMP)}): run \`pnpm --filter @distributed-insert/cli build\``)
    }
    if (Date.now() > deadline) throw new Error(`the CLI in ${cliDir} was still being rebuilt after ${BUILD_WAIT_MS / 1000} s`)
    await sleep(250)
  }
}

/**
 * Copies the CLI's bundle into a new temporary folder: `dist/*.js` as they are (the bundle
 * starts its worker threads from `./shard-worker.js` beside it), and the package manifest, whose
 * `"type": "module"` makes Node load them as ES modules. Not `bin/`: the launcher would rebuild
 * from the sources, and the copy is to be the build the harness started with.
 *
 * sql.js stays outside the bundle (see the CLI's tsup.config.ts): the bundle imports `sql.js`
 * and reads `sql.js/dist/sql-wasm.wasm` through `createRequire(import.meta.url).resolve`, both
 * found by walking up from the bundle's folder to a `node_modules`. The copy's `node_modules`
 * is a link to the CLI package's own, so that walk finds the very sql.js the CLI runs with
 * (Node follows the link to sql.js's real folder, where its wasm lies).
 */
export const copyCliBundle = async (): Promise<CliBundleCopy> => {
  const cliDir = cliPackageDir()
  const copyDir = await mkdtemp(join(tmpdir(), "distributed-insert-crash-cli-"))
  // The link is removed, not followed: rm does not descend into symbolic links.
  const remove = () => rm(copyDir, { recursive: true, force: true })
  try {
    await copyCompleteBuild(cliDir, join(copyDir, "dist"))
    await copyFile(join(cliDir, "package.json"), join(copyDir, "package.json"))
    await symlink(await realpath(join(cliDir, "node_modules")), join(copyDir, "node_modules"), "dir")
  } catch (error) {
    await remove()
    throw error
  }
  return { main: join(copyDir, "dist", "main.js"), remove }
}
