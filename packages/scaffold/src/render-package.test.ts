import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { checkGenerators, type Shard } from "@distributed-insert/shard"
import { Result } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { exampleRuleOf, renderPackage, sampleOutcomesOf } from "./render-package.ts"
import { planShard, type ShardRequest } from "./shard-spec.ts"

const noShards = { packageNames: new Set<string>(), packageDirs: new Set<string>(), shards: [] }

const specOf = (request: ShardRequest) => {
  const plan = planShard(request, noShards)
  if (Result.isFailure(plan)) throw new Error(plan.failure.join("; "))
  return plan.success
}

// Generated packages are written to packages/<name> under a temp folder laid out as the workspace
// (its tsconfig.base.json, which theirs extends), whose node_modules is this package's own, so
// that their imports (@distributed-insert/shard, effect) resolve; then they are imported.
const scratch = await mkdtemp(join(tmpdir(), "scaffold-render-"))
await symlink(fileURLToPath(new URL("../node_modules", import.meta.url)), join(scratch, "node_modules"), "dir")
await copyFile(fileURLToPath(new URL("../../../tsconfig.base.json", import.meta.url)), join(scratch, "tsconfig.base.json"))
afterAll(() => rm(scratch, { recursive: true, force: true }))

/** Writes the package of `request` and imports its shard. */
const generatedShard = async (request: ShardRequest): Promise<Shard> => {
  const spec = specOf(request)
  const dir = join(scratch, spec.packageDir)
  for (const file of renderPackage(spec)) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true })
    await writeFile(join(dir, file.path), file.text)
  }
  const module: Readonly<Record<string, unknown>> = await import(pathToFileURL(join(dir, "src/mod.ts")).href)
  const shard = module[spec.exportName]
  if (!isShard(shard)) throw new Error(`src/mod.ts exports no shard ${spec.exportName}`)
  return shard
}

/** Made by `defineShard`: as far as a test can tell, an object with a validator and a sample. */
const isShard = (value: unknown): value is Shard =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "validate") === "function" && Array.isArray(Reflect.get(value, "sample"))

/** What the sample's records get from validation: null, or their messages. */
const outcomesOf = (shard: Shard) =>
  shard.sample.map((record) => {
    const validation = shard.validate(record)
    return Result.isSuccess(validation) ? null : validation.failure.map((issue) => issue.message)
  })

const requests: ReadonlyArray<[string, ShardRequest]> = [
  ["int fields, an int key", { name: "reviews", fields: ["id:int", "product_id:int", "stars:int"], primaryKey: "id", model: undefined }],
  ["a text key, nullable and real fields", { name: "order-lines", fields: ["code:text", "note:text?", "qty:int?", "weight:real"], primaryKey: "code", model: undefined }],
  ["a real field first after the key", { name: "parcels", fields: ["weight:real", "id:int", "label:text"], primaryKey: "id", model: undefined }],
  ["the key alone", { name: "tags", fields: ["label:text"], primaryKey: undefined, model: undefined }],
  ["nullable fields beside an int key alone", { name: "notes", fields: ["id:int", "body:text?"], primaryKey: "id", model: "Memo" }],
  // The example rule's parameter is named after its field: `new_` would make it `new`.
  ["a ruled field whose name in camelCase is a reserved word", { name: "flags", fields: ["id:int", "new_:int", "constructor:text"], primaryKey: "id", model: undefined }]
]

describe("a generated shard package", () => {
  it.each(requests)("with %s: loads, its sample has the outcomes its test says, its generators keep their promise", async (_case, request) => {
    const spec = specOf(request)
    const shard = await generatedShard(request)
    expect(shard).toMatchObject({ name: spec.name, model: spec.model, table: spec.table, primaryKey: spec.primaryKey, columns: spec.fields.map((field) => field.name) })
    expect(outcomesOf(shard)).toEqual(sampleOutcomesOf(spec))
    expect(checkGenerators(shard, 200)).toEqual([])
    // Its table is derived: one createTable migration, no SQL.
    expect(shard.migrations).toHaveLength(1)
    expect(shard.migrations[0]?.createTable).toMatchObject({ table: spec.table, primaryKey: spec.primaryKey })
    // Its test file names those same outcomes.
    const testFile = renderPackage(spec).find((file) => file.path === `src/${spec.name}.test.ts`)?.text
    expect(testFile).toContain(`sampleOutcomes: ${JSON.stringify(sampleOutcomesOf(spec)).replaceAll(",", ", ")}`)
  })

  it("puts its example rule on the first field that is neither the key nor nullable, else on the key", () => {
    expect(exampleRuleOf(specOf(requests[0]?.[1] ?? noRequest))).toMatchObject({ name: "product-id-positive", message: "Product id must be positive" })
    expect(exampleRuleOf(specOf(requests[1]?.[1] ?? noRequest))).toMatchObject({ name: "weight-positive", message: "Weight must be positive" })
    expect(exampleRuleOf(specOf(requests[3]?.[1] ?? noRequest))).toMatchObject({ name: "label-required", message: "Label cannot be empty" })
    expect(exampleRuleOf(specOf(requests[4]?.[1] ?? noRequest))).toMatchObject({ name: "id-positive", message: "Id must be positive" })
  })
})

const noRequest: ShardRequest = { name: undefined, fields: [], primaryKey: undefined, model: undefined }
