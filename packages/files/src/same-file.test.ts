import { link, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { identityOf, sameFile, statIfPresent } from "./same-file.ts"
import { tempDir } from "./testing.ts"

describe("same-file", () => {
  it.effect("finds one file however its path is written: relative parts, a link to it, a dangling link, a hard link", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = join(dir, "users.db")
      const answers = yield* Effect.promise(async () => {
        await writeFile(file, "x")
        await symlink(file, join(dir, "linked.db"))
        await link(file, join(dir, "hard.db"))
        await symlink(join(dir, "later.db"), join(dir, "dangling.db"))
        return [
          await sameFile(file, join(dir, ".", "users.db")),
          await sameFile(file, join(dir, "linked.db")),
          await sameFile(file, join(dir, "hard.db")),
          await sameFile(join(dir, "later.db"), join(dir, "dangling.db")),
          await sameFile(file, join(dir, "later.db"))
        ]
      })
      expect(answers).toEqual([true, true, true, true, false])
    })
  )

  it.effect("says 'not there' only for what is not there; a path that cannot be looked at is an error, not a different file", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      yield* Effect.promise(async () => {
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
  )
})
