/**
 * How the CLI knows its shards: the seed's three come from packages/seed-shards (see plugins.ts), and
 * every other shard package by apps/cli/src/added-shards.ts, which this tool writes, with the
 * package in apps/cli/package.json's dependencies (pnpm links it there; the bundle inlines it).
 * A list written once per change, rather than the workspace searched at every build: the bundle
 * stays one file built by plain tsup, tsc and vitest see ordinary imports, and the report order is
 * what the file says.
 */

/** One shard package the CLI imports: `import { <exportName> } from "<packageName>"`. */
export interface Registration {
  readonly packageName: string
  readonly exportName: string
}

/** The file listing the shards added to the seed's, relative to the workspace root. */
export const ADDED_SHARDS_FILE = "apps/cli/src/added-shards.ts"

/** The CLI's manifest, whose dependencies hold every shard package it imports. */
export const CLI_MANIFEST = "apps/cli/package.json"

/** The seed's shard packages, which packages/seed-shards lists and apps/cli/src/plugins.ts registers first, in this order. */
export const SEED_SHARD_PACKAGES: ReadonlyArray<string> = [
  "@distributed-insert/shard-users",
  "@distributed-insert/shard-products",
  "@distributed-insert/shard-orders"
]

const HEADER = `// Written by \`pnpm new-shard\` (packages/scaffold); edits by hand are overwritten. The shard
// packages added to the seed's three, in the order they were added: \`pnpm new-shard NAME ...\`
// appends one (and adds its package to this app's dependencies), \`pnpm new-shard --remove NAME\`
// takes one out, and \`pnpm new-shard --sync\` rewrites this list from the shard packages present.
import type { Shard } from "@distributed-insert/shard"
`

/** apps/cli/src/added-shards.ts listing `registrations`, in their order. */
export const renderAddedShards = (registrations: ReadonlyArray<Registration>): string => {
  const imports = registrations.map(({ packageName, exportName }) => `import { ${exportName} } from "${packageName}"\n`).join("")
  return `${HEADER}${imports}\nexport const addedShards: ReadonlyArray<Shard> = [${registrations.map((entry) => entry.exportName).join(", ")}]\n`
}

/** The registrations apps/cli/src/added-shards.ts lists, in its order: its imports of shard packages. */
export const parseAddedShards = (text: string): ReadonlyArray<Registration> =>
  [...text.matchAll(/^import \{ ([A-Za-z_$][\w$]*) \} from "(@distributed-insert\/shard-[^"]+)"$/gm)].map(([, exportName = "", packageName = ""]) => ({
    packageName,
    exportName
  }))

/**
 * The CLI's manifest (as parsed JSON) depending on exactly the seed's shard packages and
 * `registered`, each as `workspace:*`; its other dependencies as they were. Keys sorted, as pnpm
 * and the other manifests keep them.
 */
export const withShardDependencies = (manifest: Readonly<Record<string, unknown>>, registered: ReadonlyArray<string>): Record<string, unknown> => {
  const wanted = new Set([...SEED_SHARD_PACKAGES, ...registered])
  const dependencies = isRecord(manifest["dependencies"]) ? manifest["dependencies"] : {}
  const kept = Object.entries(dependencies).filter(([name]) => !isShardPackage(name) || wanted.has(name))
  const added = [...wanted].filter((name) => !Object.hasOwn(dependencies, name)).map((name): [string, unknown] => [name, "workspace:*"])
  const sorted = [...kept, ...added].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
  return { ...manifest, dependencies: Object.fromEntries(sorted) }
}

/** A shard package's name, by the workspace's convention: `@distributed-insert/shard-<name>`. */
export const isShardPackage = (packageName: string): boolean => /^@distributed-insert\/shard-[a-z][a-z0-9_-]*$/.test(packageName)

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === "object" && value !== null && !Array.isArray(value)
