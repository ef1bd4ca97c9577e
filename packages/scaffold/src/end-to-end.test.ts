// End to end, as a user adds a shard: a copy of this workspace (its git-tracked files, without
// node_modules, builds or caches), installed from pnpm's store, gets `pnpm new-shard reviews`;
// then the CLI loads reviews beside the seed's shards, its own tests pass, the whole workspace
// type-checks, the CLI's tests pass with reviews registered, and `--remove` leaves a CLI that
// still builds. About 4 minutes on a quiet 2-core machine, most of it the CLI's suite in the copy.
import { spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { copyFile, cp, mkdir, mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADDED_SHARDS_FILE, parseAddedShards, renderAddedShards } from "./registration.ts"

const workspace = fileURLToPath(new URL("../../..", import.meta.url))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * The environment of a command run in the copy: this one without what the `pnpm test` / turbo /
 * vitest running this test set for themselves (pnpm reads `npm_config_*` as its own settings,
 * turbo its `TURBO_*`, the nested vitest must not think it is a worker of this one, and
 * vitest's `NODE_PATH` and Vite's mode variables belong to this workspace's run), and
 * without this workspace's `node_modules/.bin` on the PATH.
 */
const copyEnvironment = (): NodeJS.ProcessEnv => {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(npm_|TURBO_|VITEST|PNPM_SCRIPT_SRC_DIR$|INIT_CWD$|NODE_PATH$|NODE_ENV$|NODE$|BASE_URL$|MODE$|DEV$|PROD$|SSR$|TEST$|COLOR$|FORCE_TTY$)/.test(name)
  )
  const path = (process.env["PATH"] ?? "")
    .split(":")
    .filter((entry) => !entry.startsWith(workspace) || !entry.includes("node_modules"))
    .join(":")
  return { ...Object.fromEntries(inherited), PATH: path, TURBO_TELEMETRY_DISABLED: "1", NO_COLOR: "1" }
}

const run = (cwd: string, command: string, args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: copyEnvironment(), stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** The files a clone would have: git's tracked and untracked-but-not-ignored files that exist; else a copy without the generated folders. */
const copyWorkspace = async (to: string): Promise<void> => {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: workspace, encoding: "utf8" })
  if (listed.status !== 0) {
    const generated = new Set(["node_modules", "dist", ".turbo", ".git", "data", "coverage"])
    await cp(workspace, to, { recursive: true, filter: (source) => !generated.has(source.split("/").at(-1) ?? "") })
    return
  }
  for (const file of listed.stdout.split("\0").filter((path) => path !== "" && existsSync(join(workspace, path)))) {
    await mkdir(dirname(join(to, file)), { recursive: true })
    await copyFile(join(workspace, file), join(to, file))
  }
}

const NEW_SHARD = ["new-shard", "reviews", "--field", "id:int", "--field", "product_id:int", "--field", "stars:int", "--primary-key", "id"]

let scratch = ""
let copy = ""
let scaffolded: Run

// Each step runs pnpm, a build or a type check over the whole workspace copy: minutes on a loaded 2-core runner.
describe("pnpm new-shard reviews, in a copy of the workspace", { timeout: 240_000 }, () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "scaffold-e2e-"))
    copy = join(scratch, "workspace")
    await copyWorkspace(copy)
    // The scaffold loads the workspace's shard packages, so the copy is installed first.
    const installed = await run(copy, "pnpm", ["install", "--offline", "--frozen-lockfile"])
    expect(installed.code, installed.stderr + installed.stdout).toBe(0)
    // From the seed's shards alone, whatever shards this workspace added (one may be a reviews).
    for (const { packageName } of parseAddedShards(await readFile(join(copy, ADDED_SHARDS_FILE), "utf8"))) {
      const removed = await run(copy, "pnpm", ["--silent", "new-shard", "--remove", packageName.replace("@distributed-insert/shard-", "")])
      expect(removed.code, removed.stderr).toBe(0)
    }
    scaffolded = await run(copy, "pnpm", ["--silent", ...NEW_SHARD])
  }, 300_000)

  afterAll(() => rm(scratch, { recursive: true, force: true }))

  it("writes the package, registers it with the CLI after the seed's shards, installs it, and says what is next", async () => {
    expect(scaffolded.code, scaffolded.stderr).toBe(0)
    expect(scaffolded.stdout).toContain("Created packages/shard-reviews (model Review, table reviews, primary key id):")
    expect(scaffolded.stdout).toContain("$ pnpm install --offline --frozen-lockfile=false")
    expect(scaffolded.stdout).toContain("pnpm --filter cli start populate")
    expect(await readFile(join(copy, "apps/cli/src/added-shards.ts"), "utf8")).toContain(
      `import { reviews } from "@distributed-insert/shard-reviews"\n\nexport const addedShards: ReadonlyArray<Shard> = [reviews]\n`
    )
    expect(JSON.parse(await readFile(join(copy, "apps/cli/package.json"), "utf8")).dependencies).toMatchObject({
      "@distributed-insert/shard-reviews": "workspace:*"
    })
    expect(await readFile(join(copy, "pnpm-lock.yaml"), "utf8")).toContain("\n  packages/shard-reviews:\n")
  })

  it("refuses to add it twice, with exit code 2, writing nothing", async () => {
    const again = await run(copy, "pnpm", ["--silent", ...NEW_SHARD])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("error: cannot create the shard reviews:\n  - packages/shard-reviews already exists\n")
  })

  it("populate loads reviews beside users, products and orders, after them, with its sample's outcome", async () => {
    const populated = await run(copy, "pnpm", ["--filter", "cli", "start", "populate", "--data-dir", join(scratch, "data"), "--json"])
    expect(populated.code, populated.stderr).toBe(0)
    const report = JSON.parse(populated.stdout)
    expect(report.shards.map((shard: { readonly shard: string }) => shard.shard)).toEqual(["users", "products", "orders", "reviews"])
    const [users, products, orders, reviews] = report.shards
    expect([users, products, orders].map((shard) => shard.counts.inserted)).toEqual([9, 9, 8])
    expect(reviews).toMatchObject({
      model: "Review",
      migrationsApplied: [{ model: "Review", version: 1, description: "create reviews" }],
      counts: { processed: 4, inserted: 3, invalid: 1, failed: 0 },
      rejectedByRule: { "product-id-positive": 1 }
    })
    expect(reviews.records.map((record: { readonly errors: unknown }) => record.errors)).toEqual([null, null, null, ["Product id must be positive"]])
  })

  it("the new shard's own tests pass (its conformance, from its sample outcomes)", async () => {
    const tested = await run(copy, "pnpm", ["--filter", "@distributed-insert/shard-reviews", "test"])
    expect(tested.code, tested.stdout + tested.stderr).toBe(0)
    expect(tested.stdout).toMatch(/Tests\s+\d+ passed/)
  })

  it("turbo run typecheck passes in the whole workspace", async () => {
    const checked = await run(copy, "pnpm", ["exec", "turbo", "run", "typecheck", "--output-logs=errors-only"])
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
  }, 240_000)

  it("the CLI's tests pass with it registered (they derive what they expect from the registered shards)", async () => {
    // The other packages' tests do not see the CLI's registry, and their own run checks them.
    const tested = await run(copy, "pnpm", ["exec", "turbo", "run", "test", "--filter=@distributed-insert/cli", "--output-logs=errors-only"])
    expect(tested.code, tested.stdout.slice(-20_000) + tested.stderr.slice(-5_000)).toBe(0)
  }, 1_200_000)

  it("--remove unregisters and deletes it, and the CLI still type-checks and builds without it", async () => {
    const removed = await run(copy, "pnpm", ["--silent", "new-shard", "--remove", "reviews"])
    expect(removed.code, removed.stderr).toBe(0)
    expect(existsSync(join(copy, "packages/shard-reviews"))).toBe(false)
    expect(await readFile(join(copy, ADDED_SHARDS_FILE), "utf8")).toBe(renderAddedShards([]))
    const checked = await run(copy, "pnpm", ["--filter", "cli", "typecheck"])
    expect(checked.code, checked.stdout + checked.stderr).toBe(0)
    const shards = await run(copy, "pnpm", ["--filter", "cli", "start", "shards", "--data-dir", join(scratch, "data"), "--json"])
    expect(shards.code, shards.stderr).toBe(0)
    const listed: { readonly shards: ReadonlyArray<{ readonly shard: string }> } = JSON.parse(shards.stdout)
    expect(listed.shards.map((shard) => shard.shard)).toEqual(["users", "products", "orders"])
  }, 240_000)
})
