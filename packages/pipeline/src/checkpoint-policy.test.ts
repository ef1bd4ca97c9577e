import { describe, expect, it } from "vitest"
import { checkpointPolicy } from "./checkpoint-policy.ts"
import { DEFAULT_LOAD_SETTINGS } from "./load-settings.ts"

describe("checkpointPolicy", () => {
  it("is due once enough records passed since the last checkpoint", () => {
    const policy = checkpointPolicy({ checkpointRecords: 100, checkpointSeconds: 0 })
    expect([50, 99, 100].map(policy.due)).toEqual([false, false, true])
    policy.done(120)
    expect([200, 220].map(policy.due)).toEqual([false, true])
  })

  it("is due once enough seconds passed, but only with new records to write", () => {
    let now = 0
    const policy = checkpointPolicy({ checkpointRecords: 0, checkpointSeconds: 30 }, () => now)
    now = 29_999
    expect(policy.due(10)).toBe(false)
    now = 30_000
    expect(policy.due(10)).toBe(true)
    policy.done(10)
    now = 90_000
    expect(policy.due(10)).toBe(false)
    expect(policy.due(11)).toBe(true)
  })

  it("with both at 0 is never due, and defaults to every 100,000 records", () => {
    const never = checkpointPolicy({ checkpointRecords: 0, checkpointSeconds: 0 }, () => Number.MAX_SAFE_INTEGER)
    expect(never.due(10_000_000)).toBe(false)
    const byDefault = checkpointPolicy({})
    const { checkpointRecords } = DEFAULT_LOAD_SETTINGS
    expect([checkpointRecords - 1, checkpointRecords].map(byDefault.due)).toEqual([false, true])
  })
})
