import { existsSync } from "node:fs"
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { makeDirectory } from "./make-directory.ts"

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-mkdir-"))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

describe("makeDirectory", () => {
  it("creates missing parents, and accepts a directory that exists", async () => {
    const deep = join(dir, "a", "b", "c")
    await makeDirectory(deep)
    expect((await stat(deep)).isDirectory()).toBe(true)
    await makeDirectory(deep)
    await makeDirectory(dir)
  })

  it("fails, naming the path, where a file is in the way", async () => {
    await writeFile(join(dir, "file"), "")
    await expect(makeDirectory(join(dir, "file"))).rejects.toThrow(/EEXIST.*file/)
    await expect(makeDirectory(join(dir, "file", "below"))).rejects.toThrow(/ENOTDIR/)
  })

  // Node's mkdir(path, { recursive: true }) (20 and 24.22 alike) spins at 100% CPU forever on such a path, where
  // the kernel answers ENOENT though the parent exists; this must fail at once instead.
  it.skipIf(!existsSync("/proc/self"))("fails at once on a path the kernel will never create (/proc/x)", async () => {
    await expect(makeDirectory("/proc/distributed-insert-test/x")).rejects.toThrow(/ENOENT.*\/proc\/distributed-insert-test/)
  }, 5_000)
})
