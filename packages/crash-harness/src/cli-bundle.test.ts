import { existsSync, lstatSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { users } from "@distributed-insert/shard-users"
import { readShardFile } from "@distributed-insert/storage-sqljs/testing"
import { afterAll, describe, expect, it } from "vitest"
import { copyCliBundle } from "./cli-bundle.ts"
import { runCli } from "./cli-process.ts"

const cliPackageDir = dirname(createRequire(import.meta.url).resolve("@distributed-insert/cli/package.json"))
const scratch = await mkdtemp(join(tmpdir(), "distributed-insert-cli-bundle-test-"))
afterAll(() => rm(scratch, { recursive: true, force: true }))

describe("the harness's copy of the CLI bundle", () => {
  it("runs outside the CLI package, in worker threads too, with sql.js and its wasm found through the linked node_modules, and is removed whole", async () => {
    const copy = await copyCliBundle()
    const copyDir = dirname(dirname(copy.main))
    try {
      expect(copyDir.startsWith(cliPackageDir)).toBe(false)
      expect(lstatSync(join(copyDir, "node_modules")).isSymbolicLink()).toBe(true)
      const generated = await runCli(copy.main, ["generate", "--count", "50", "--seed", "1", "--shard", "users", "--out", scratch])
      expect(generated.code, generated.stderr).toBe(0)
      const dataDir = join(scratch, "data")
      const loaded = await runCli(copy.main, ["populate", "--quiet", "--data-dir", dataDir, "--workers", "on", "--input", `users=${join(scratch, "users.ndjson")}`])
      expect(loaded.code, loaded.stderr).toBe(0)
      const file = await readShardFile(join(dataDir, "users.db"), users)
      expect(file._tag === "Sound" ? file.rows.size : file._tag).toBeGreaterThan(0)
    } finally {
      await copy.remove()
    }
    expect(existsSync(copyDir)).toBe(false)
    // Removing the copy removed the link, not what it pointed to.
    expect(existsSync(join(cliPackageDir, "node_modules", "sql.js"))).toBe(true)
  })
})
