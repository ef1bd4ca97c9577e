/**
 * Test helpers for every package that works with files.
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"

/** A fresh directory under the OS temp folder, removed with everything in it when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "distributed-insert-test-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)
