import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { ADDED_SHARDS_FILE, CLI_MANIFEST, isShardPackage, parseAddedShards, type Registration, renderAddedShards, withShardDependencies } from "./registration.ts"
import type { TakenNames } from "./shard-spec.ts"

/** A shard a workspace package exports: the constant's name, and the shard's own names. */
export interface ExportedShard {
  readonly exportName: string
  readonly name: string
  readonly model: string
  readonly table: string
}

/** A workspace package named as a shard package (`@distributed-insert/shard-<name>`), with the shards it exports. */
export interface ShardPackage {
  readonly packageName: string
  /** Relative to the workspace root, `/`-separated. */
  readonly dir: string
  readonly shards: ReadonlyArray<ExportedShard>
}

/** What the scaffold needs to know of a workspace. */
export interface Workspace {
  readonly root: string
  readonly taken: TakenNames
  readonly shardPackages: ReadonlyArray<ShardPackage>
  /** What apps/cli/src/added-shards.ts lists now. */
  readonly registrations: ReadonlyArray<Registration>
}

/** The folder holding `pnpm-workspace.yaml`, from `from` up; undefined outside a workspace. */
export const findWorkspaceRoot = (from: string): string | undefined => {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir
    if (dirname(dir) === dir) return undefined
  }
}

/** The workspace folders that hold packages, as pnpm-workspace.yaml lists them (`packages/*`, `apps/*`). */
const PACKAGE_FOLDERS = ["packages", "apps"]

/**
 * Reads the workspace at `root`: every package's folder and name, and the shards each shard
 * package exports, loaded from its sources (as the CLI's tests load them) so that a package
 * written by hand counts as much as a scaffolded one. Fails when a shard package cannot be
 * loaded, saying which.
 */
export const readWorkspace = async (root: string): Promise<Workspace> => {
  const packageNames = new Set<string>()
  const packageDirs = new Set<string>()
  const shardPackages: Array<ShardPackage> = []
  for (const folder of PACKAGE_FOLDERS) {
    const entries = existsSync(join(root, folder)) ? await readdir(join(root, folder), { withFileTypes: true }) : []
    for (const entry of entries.filter((each) => each.isDirectory() && !each.name.startsWith(".")).sort((left, right) => (left.name < right.name ? -1 : 1))) {
      const dir = `${folder}/${entry.name}`
      packageDirs.add(dir)
      const manifest = await readJson(join(root, dir, "package.json")).catch(() => undefined)
      const packageName = manifest?.["name"]
      if (manifest === undefined || typeof packageName !== "string") continue
      packageNames.add(packageName)
      if (isShardPackage(packageName)) shardPackages.push({ packageName, dir, shards: await loadShards(root, dir, packageName, manifest) })
    }
  }
  const addedShards = await readFile(join(root, ADDED_SHARDS_FILE), "utf8").catch(() => "")
  return {
    root,
    taken: { packageNames, packageDirs, shards: shardPackages.flatMap((pkg) => pkg.shards) },
    shardPackages,
    registrations: parseAddedShards(addedShards)
  }
}

/** The shards a package's source entry exports, in export order. */
const loadShards = async (root: string, dir: string, packageName: string, manifest: Readonly<Record<string, unknown>>): Promise<ReadonlyArray<ExportedShard>> => {
  const source = sourceEntryOf(manifest)
  if (source === undefined) return []
  try {
    const module: Readonly<Record<string, unknown>> = await import(pathToFileURL(join(root, dir, source)).href)
    return Object.entries(module).flatMap(([exportName, value]) => {
      const shard = asExportedShard(exportName, value)
      return shard === undefined ? [] : [shard]
    })
  } catch (error) {
    throw new Error(`cannot load the shard package ${packageName} (${dir}): ${error instanceof Error ? error.message : String(error)}; run \`pnpm install\`, or fix the package`, { cause: error })
  }
}

/** `exports["."].source`, the entry Node and vitest load from sources under the `source` condition. */
const sourceEntryOf = (manifest: Readonly<Record<string, unknown>>): string | undefined => {
  const exported = manifest["exports"]
  const main = isRecord(exported) ? exported["."] : undefined
  const source = isRecord(main) ? main["source"] : undefined
  return typeof source === "string" ? source : undefined
}

/** A value that is a shard, as `defineShard` makes them (its names and its validator). */
const asExportedShard = (exportName: string, value: unknown): ExportedShard | undefined => {
  if (!isRecord(value) || typeof value["validate"] !== "function") return undefined
  const { name, model, table } = value
  return typeof name === "string" && typeof model === "string" && typeof table === "string" ? { exportName, name, model, table } : undefined
}

/**
 * Writes the files of a new package to `dir` (relative to `root`): into a temp folder beside it
 * first, then renamed, so that a failure leaves no half-written package for the next run to
 * refuse as existing.
 */
export const writePackage = async (root: string, dir: string, files: ReadonlyArray<{ readonly path: string; readonly text: string }>): Promise<void> => {
  const target = join(root, dir)
  const temp = join(dirname(target), `.${dir.split("/").at(-1)}.${process.pid}.tmp`)
  try {
    for (const file of files) {
      await mkdir(dirname(join(temp, file.path)), { recursive: true })
      await writeFile(join(temp, file.path), file.text, { flag: "wx" })
    }
    await rename(temp, target)
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}

/**
 * Registers exactly `registrations` with the CLI, in their order: apps/cli/src/added-shards.ts
 * imports them, and apps/cli/package.json depends on them. Returns the files it changed.
 */
export const writeRegistrations = async (root: string, registrations: ReadonlyArray<Registration>): Promise<ReadonlyArray<string>> => {
  const changed: Array<string> = []
  const listFile = join(root, ADDED_SHARDS_FILE)
  const list = renderAddedShards(registrations)
  if ((await readFile(listFile, "utf8").catch(() => "")) !== list) {
    await writeFile(listFile, list)
    changed.push(ADDED_SHARDS_FILE)
  }
  const manifestFile = join(root, CLI_MANIFEST)
  const manifestText = await readFile(manifestFile, "utf8")
  const manifest = withShardDependencies(JSON.parse(manifestText), registrations.map((registration) => registration.packageName))
  const written = `${JSON.stringify(manifest, null, 2)}\n`
  if (written !== manifestText) {
    await writeFile(manifestFile, written)
    changed.push(CLI_MANIFEST)
  }
  return changed
}

/** Deletes package folder `dir` (relative to `root`). */
export const removePackage = (root: string, dir: string): Promise<void> => rm(join(root, dir), { recursive: true, force: true })

/**
 * `pnpm install` in the workspace, from the store alone first (`--offline`: no network, and
 * fast), then from the registry if the store lacks a package; the lockfile is updated either way
 * (a new package is a new importer in it). pnpm's own output goes to stderr. Returns whether an
 * install succeeded.
 */
export const installWorkspace = (root: string, log: (line: string) => void): boolean => {
  for (const args of [["install", "--offline", "--frozen-lockfile=false"], ["install", "--frozen-lockfile=false"]]) {
    log(`$ pnpm ${args.join(" ")}`)
    const result = spawnSync("pnpm", args, { cwd: root, stdio: ["ignore", 2, 2] })
    if (result.status === 0) return true
    log(`pnpm ${args.join(" ")} failed (${result.error?.message ?? `exit code ${result.status ?? result.signal}`})`)
  }
  return false
}

const readJson = async (path: string): Promise<Readonly<Record<string, unknown>> | undefined> => {
  const parsed: unknown = JSON.parse(await readFile(path, "utf8"))
  return isRecord(parsed) ? parsed : undefined
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === "object" && value !== null && !Array.isArray(value)
