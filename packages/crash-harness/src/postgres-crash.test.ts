import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PG_TEST_ENV, pgTestServer, skipWithoutPg } from "@distributed-insert/storage-pg/testing"
import { afterAll, describe, expect, it } from "vitest"
import { runCrashTrials, summaryLine } from "./harness.ts"
import { postgresHome } from "./postgres-target.ts"

// The small version of `pnpm crash --postgres URL` (main.ts): a few SIGKILLs on a small load whose
// shards are PostgreSQL databases (and, every other pair of trials, one a file). Skipped, saying
// so, where no test server is set; in CI it runs, and fails without one.
const dir = join(tmpdir(), `distributed-insert-crash-pg-test-${process.pid}`)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe.skipIf(skipWithoutPg())("crash safety on PostgreSQL", () => {
  it("after SIGKILL at random moments, the committed rows are the marked batches (or one more), the lock is free, and a re-run with --on-conflict skip completes the load", async () => {
    const url = pgTestServer()
    if (url === undefined) throw new Error(`${PG_TEST_ENV.first} is not set: this test needs a PostgreSQL server (. .ci/postgres.sh starts one and sets it)`)
    const summary = await runCrashTrials({ dir, kills: 8, count: 2000, checkpointRecords: 300, batchSize: 100, seed: 20261130, home: postgresHome({ url }) })
    const problems = summary.trials.filter(
      (trial) => trial.losses + trial.strangers + trial.corruptFiles.length + trial.rerunProblems.length + trial.placeProblems.length > 0
    )
    expect(problems, summaryLine(summary)).toEqual([])
    // As in crash.test.ts: loads that finish before their kill do not count, and a busy machine
    // finishes more of them first; half the kills still spread over the load.
    expect(summary.kills, summaryLine(summary)).toBeGreaterThanOrEqual(4)
    // Both layouts ran: every shard on the server, and users there with orders in a file.
    expect(new Set(summary.trials.map((trial) => trial.layout.split(" ")[0]))).toEqual(new Set(["postgres", "mixed"]))
  }, 420_000)
})
