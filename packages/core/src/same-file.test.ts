import { link, mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { identityOf, sameFile, statIfPresent } from "./same-file.ts"

let dir = ""
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "distributed-insert-same-file-"))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("same-file", () => {
  it("finds one file however its path is written: relative parts, a link to it, a dangling link, a hard link", async () => {
    const file = join(dir, "users.db")
    await writeFile(file, "x")
    await symlink(file, join(dir, "linked.db"))
    await link(file, join(dir, "hard.db"))
    await symlink(join(dir, "later.db"), join(dir, "dangling.db"))
    expect(await sameFile(file, join(dir, ".", "users.db"))).toBe(true)
    expect(await sameFile(file, join(dir, "linked.db"))).toBe(true)
    expect(await sameFile(file, join(dir, "hard.db"))).toBe(true)
    expect(await sameFile(join(dir, "later.db"), join(dir, "dangling.db"))).toBe(true)
    expect(await sameFile(file, join(dir, "later.db"))).toBe(false)
  })

  it("says 'not there' only for what is not there; a path that cannot be looked at is an error, not a different file", async () => {
    expect(await statIfPresent(join(dir, "missing.db"))).toBeUndefined()
    expect(await statIfPresent(join(dir, "missing", "users.db"))).toBeUndefined()
    await writeFile(join(dir, "file"), "x")
    expect(await statIfPresent(join(dir, "file", "below"))).toBeUndefined()
    expect(await identityOf(join(dir, "missing.db"))).toBeUndefined()
    // A loop of links has no file at its end, but "nothing there" would be a guess.
    await symlink(join(dir, "b"), join(dir, "a"))
    await symlink(join(dir, "a"), join(dir, "b"))
    await expect(statIfPresent(join(dir, "a"))).rejects.toMatchObject({ code: "ELOOP" })
    await expect(identityOf(join(dir, "a"))).rejects.toMatchObject({ code: "ELOOP" })
  })
})
