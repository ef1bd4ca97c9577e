import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"

/** A private temp folder for one run's spools, removed when the run's scope closes, whatever happened. */
export const runDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "distributed-insert-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)
