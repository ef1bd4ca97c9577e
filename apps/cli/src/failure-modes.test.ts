import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { durableThroughByShard } from "@distributed-insert/pipeline"
import { readShardFile } from "@distributed-insert/storage-sqljs/testing"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { shards } from "./plugins.ts"
import { runCli } from "./testing.ts"
import { databaseFileOf } from "./testing-registry.ts"

const shardNamed = (name: string) => {
  const shard = shards.find((candidate) => candidate.name === name)
  if (shard === undefined) throw new Error(`no shard ${name}`)
  return shard
}

// Failure modes made to happen for real, on a file system of their own: a tiny tmpfs that
// fills up, and one remounted read-only. Tests run as root, where permission bits (chmod) stop
// no write; a read-only mount stops everyone, root included, and a full tmpfs is a real ENOSPC.
// Mounting needs root (CAP_SYS_ADMIN): elsewhere these tests are skipped, saying why.

let mounted: string | null = null

/** Mounts a tmpfs of `size` on `dir`; false when this process may not mount (not root), which skips the tests. */
const mountTmpfs = (dir: string, size: string): boolean => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", dir], { stdio: "ignore" })
    mounted = dir
    return true
  } catch (error) {
    // Only the probe below may find mounting impossible; a test that needs it asserts it worked.
    console.info(`cannot mount a tmpfs on ${dir}: ${error instanceof Error ? error.message : String(error)}`)
    return false
  }
}

const canMount = await (async () => {
  const probe = await mkdtemp(join(tmpdir(), "distributed-insert-mount-probe-"))
  const works = mountTmpfs(probe, "64k")
  if (works) execFileSync("umount", [probe])
  mounted = null
  await rm(probe, { recursive: true, force: true })
  return works
})()

interface ShardJson {
  readonly shard: string
  readonly durableThrough: number
  readonly checkpoints: number
  readonly counts: { readonly inserted: number; readonly failed: number }
  readonly rejectedByRule: Readonly<Record<string, number>>
  readonly error: { readonly operation: string; readonly message: string } | null
}

let dir = ""
let dataDir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-failure-"))
  dataDir = join(dir, "data")
  await mkdir(dataDir)
})
afterEach(async () => {
  if (mounted !== null) execFileSync("umount", [mounted])
  mounted = null
  await rm(dir, { recursive: true, force: true })
})

const populate = async (args: ReadonlyArray<string>) => {
  const run = await runCli(["populate", "--json", "--quiet", "--data-dir", dataDir, ...args])
  const shards: ReadonlyArray<ShardJson> = run.stdout === "" ? [] : JSON.parse(run.stdout).shards
  return { ...run, shards }
}
const snapshot = async () => {
  const names = (await readdir(dataDir)).sort()
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(dataDir, name))] as const)))
}
const ndjson = (count: number, record: (id: number) => object) =>
  Array.from({ length: count }, (_, index) => JSON.stringify(record(index + 1))).join("\n")

describe.skipIf(!canMount)("failure modes on a real file system (needs root to mount a tmpfs)", () => {
  it("a full disk fails the shard that does not fit, naming its file and ENOSPC, leaves its file as it was, and the others finish", async () => {
    expect(mountTmpfs(dataDir, "256k")).toBe(true)
    expect((await populate([])).code).toBe(0)
    const before = await snapshot()
    // Megabytes of users cannot fit in 256 kB; ten orders can. The users take 80 batches, so the
    // orders (one batch) are written long before the users' temp file fills the disk.
    const users = join(dir, "users.ndjson")
    const orders = join(dir, "orders.ndjson")
    await writeFile(users, ndjson(40_000, (id) => ({ id: 100 + id, name: `User ${id}`, email: `user${id}@example.com` })))
    await writeFile(orders, ndjson(10, (id) => ({ id: 100 + id, user_id: 1, product_id: 1, quantity: 1 })))

    const run = await populate(["--input", `users=${users}`, "--input", `orders=${orders}`, "--batch-size", "500", "--workers", "off"])

    expect(run.code).toBe(1)
    const [failed, finished] = run.shards
    expect(failed?.shard).toBe("users")
    expect(failed?.error?.operation).toBe("persist")
    expect(failed?.error?.message).toContain(join(dataDir, "users.db"))
    expect(failed?.error?.message).toContain("ENOSPC")
    expect(failed?.counts).toMatchObject({ inserted: 0, failed: 40_000 })
    expect(run.stderr).toContain("ENOSPC")
    expect(finished).toMatchObject({ shard: "orders", error: null, counts: { inserted: 10 } })
    const after = await snapshot()
    // The full shard's file is byte for byte what it was, and no temp file is left behind.
    expect(after["users.db"]).toEqual(before["users.db"])
    expect(after["products.db"]).toEqual(before["products.db"])
    expect(after["orders.db"]).not.toEqual(before["orders.db"])
    expect(Object.keys(after)).toEqual(shards.map(databaseFileOf).sort())
  })

  it("a disk that fills up at a checkpoint keeps what the earlier checkpoints wrote, and the report says how far", async () => {
    expect(mountTmpfs(dataDir, "256k")).toBe(true)
    const users = join(dir, "users.ndjson")
    await writeFile(users, ndjson(6000, (id) => ({ id, name: `User ${id} ${"x".repeat(40)}`, email: `user${id}@example.com` })))
    const reportPath = join(dir, "report.ndjson")

    const run = await populate(["--input", `users=${users}`, "--checkpoint-records", "500", "--batch-size", "250", "--report", reportPath])

    expect(run.code).toBe(1)
    const [shard] = run.shards
    expect(shard?.error?.message).toContain("ENOSPC")
    const through = shard?.durableThrough ?? 0
    expect(through).toBeGreaterThan(0)
    expect(through).toBeLessThan(6000)
    expect(shard?.checkpoints).toBe(through / 500)
    // What the checkpoints wrote stays counted as inserted; only what came after is lost.
    expect(shard?.counts).toMatchObject({ inserted: through, failed: shard?.rejectedByRule["not-persisted"] })
    const file = await readShardFile(join(dataDir, "users.db"), shardNamed("users"))
    expect(file._tag === "Sound" ? [...file.rows.keys()] : file).toEqual(Array.from({ length: through }, (_, index) => index + 1))
    expect((await durableThroughByShard(reportPath)).get("users")).toBe(through)
  })

  it("a disk too full for a lock file fails every shard, naming ENOSPC, and leaves no lock or draft behind", async () => {
    expect(mountTmpfs(dataDir, "64k")).toBe(true)
    // Fill the disk to its last byte: the write of the filler itself ends with ENOSPC.
    await writeFile(join(dataDir, "filler"), Buffer.alloc(1 << 20)).catch((error: unknown) => {
      if (!(error instanceof Error && "code" in error && error.code === "ENOSPC")) throw error
    })

    const run = await populate([])

    expect(run.code).toBe(1)
    for (const shard of run.shards) {
      expect(shard.error?.operation).toBe("lock")
      expect(shard.error?.message).toContain("ENOSPC")
    }
    expect(Object.keys(await snapshot())).toEqual(["filler"])
  })

  it("a read-only data directory fails every shard, naming its file and EROFS, and changes nothing", async () => {
    expect(mountTmpfs(dataDir, "1m")).toBe(true)
    expect((await populate([])).code).toBe(0)
    const before = await snapshot()
    execFileSync("mount", ["-o", "remount,ro", dataDir])

    const run = await populate(["--reset"])

    expect(run.code).toBe(1)
    expect(run.shards.map((shard) => shard.shard)).toEqual(shards.map((shard) => shard.name))
    for (const shard of run.shards) {
      expect(shard.error?.message).toContain(join(dataDir, `${shard.shard}.db`))
      expect(shard.error?.message).toContain("EROFS")
    }
    expect(run.stderr).toContain("read-only file system")
    expect(await snapshot()).toEqual(before)
  })
})
