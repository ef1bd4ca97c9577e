import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { openLineLog } from "./ndjson-log.ts"

// /dev/full accepts the open and fails every write with ENOSPC: a full disk, for real.
describe.skipIf(!existsSync("/dev/full"))("openLineLog on a full disk", () => {
  it("fails its close with the write's ENOSPC, and a second close adds nothing (no EBADF)", () => {
    const log = openLineLog("/dev/full")
    log.append('{"id":1}')
    const attempt = () => log.close()
    expect(attempt).toThrow(/cannot write results to \/dev\/full: ENOSPC/)
    expect(attempt).not.toThrow()
  })
})
