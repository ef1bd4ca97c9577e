import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * vitest's global setup: one temp folder per test run, as TMPDIR of the tests and of every
 * process they start, removed when the run ends. A test that kills the CLI leaves that run's
 * temp folder behind, as any SIGKILLed program would; with this, nothing of a test run
 * outlives it in the machine's temp folder.
 */
export default function setup(): () => void {
  const previous = process.env.TMPDIR
  const dir = mkdtempSync(join(tmpdir(), "distributed-insert-tests-"))
  process.env.TMPDIR = dir
  return () => {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    rmSync(dir, { recursive: true, force: true })
  }
}
