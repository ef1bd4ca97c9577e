import { readFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { parseAddedShards, renderAddedShards, SEED_SHARD_PACKAGES, withShardDependencies } from "./registration.ts"
import { packageJsonOf } from "./render-package.ts"

const workspaceFile = (path: string) => readFile(new URL(`../../../${path}`, import.meta.url), "utf8")

describe("the CLI's registration", () => {
  it("is apps/cli/src/added-shards.ts as the workspace has it (the committed one lists none), and reads back what it lists", async () => {
    const file = await workspaceFile("apps/cli/src/added-shards.ts")
    expect(renderAddedShards(parseAddedShards(file))).toBe(file)
    const registrations = [
      { packageName: "@distributed-insert/shard-reviews", exportName: "reviews" },
      { packageName: "@distributed-insert/shard-order-lines", exportName: "orderLines" }
    ]
    const text = renderAddedShards(registrations)
    expect(text).toContain(`import { orderLines } from "@distributed-insert/shard-order-lines"\n`)
    expect(text).toContain("export const addedShards: ReadonlyArray<Shard> = [reviews, orderLines]\n")
    expect(parseAddedShards(text)).toEqual(registrations)
  })

  it("knows the seed's shard packages as seed-shards lists them, which apps/cli/src/plugins.ts puts before the added ones", async () => {
    const seed = await workspaceFile("packages/seed-shards/src/mod.ts")
    const imported = [...seed.matchAll(/^import \{ (\w+) \} from "(@distributed-insert\/shard-[^"]+)"$/gm)]
    expect(imported.map(([, , packageName]) => packageName).sort()).toEqual([...SEED_SHARD_PACKAGES].sort())
    expect(seed).toContain("export const seedShards: ReadonlyArray<Shard> = [users, products, orders]")
    const plugins = await workspaceFile("apps/cli/src/plugins.ts")
    expect(plugins).toContain("export const shards: ReadonlyArray<Shard> = [...seedShards, ...addedShards]")
  })

  it("makes the CLI depend on the seed's shards and the registered ones, and on no other shard package; other dependencies stay", () => {
    const manifest = {
      name: "@distributed-insert/cli",
      dependencies: {
        "@distributed-insert/pipeline": "workspace:*",
        "@distributed-insert/shard": "workspace:*",
        "@distributed-insert/shard-gone": "workspace:*",
        "@distributed-insert/shard-orders": "workspace:*",
        "@distributed-insert/shard-products": "workspace:*",
        "@distributed-insert/shard-users": "workspace:*",
        effect: "catalog:"
      },
      devDependencies: { vitest: "catalog:" }
    }
    const updated = withShardDependencies(manifest, ["@distributed-insert/shard-reviews", "@distributed-insert/shard-alerts"])
    expect(updated).toEqual({
      name: "@distributed-insert/cli",
      dependencies: {
        "@distributed-insert/pipeline": "workspace:*",
        "@distributed-insert/shard": "workspace:*",
        "@distributed-insert/shard-alerts": "workspace:*",
        "@distributed-insert/shard-orders": "workspace:*",
        "@distributed-insert/shard-products": "workspace:*",
        "@distributed-insert/shard-reviews": "workspace:*",
        "@distributed-insert/shard-users": "workspace:*",
        effect: "catalog:"
      },
      devDependencies: { vitest: "catalog:" }
    })
    expect(Object.keys(updated["dependencies"] ?? {})).toEqual(Object.keys(updated["dependencies"] ?? {}).sort())
  })
})

describe("a generated package's manifest", () => {
  it("is the seed's shard packages' own (packages/shard-orders), but for its name and description", async () => {
    const seed = JSON.parse(await workspaceFile("packages/shard-orders/package.json"))
    const generated = packageJsonOf({
      name: "reviews",
      model: "Review",
      table: "reviews",
      exportName: "reviews",
      packageName: "@distributed-insert/shard-reviews",
      packageDir: "packages/shard-reviews",
      fields: [{ name: "id", type: "int", nullable: false }],
      primaryKey: "id"
    })
    expect({ ...generated, name: seed.name, description: seed.description }).toEqual(seed)
    expect(JSON.stringify(generated)).toBe(JSON.stringify({ ...seed, name: generated.name, description: generated.description }))
  })
})
