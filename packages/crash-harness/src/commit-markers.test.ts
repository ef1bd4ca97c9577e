import { describe, expect, it } from "vitest"
import { committedPrefix } from "./commit-markers.ts"

// Ten input positions in batches of 3 (1-3, 4-6, 7-9, 10); position 5 is a record the load
// rejects (null id), so the complete load stores ids 1-4 and 6-10 (id = position).
const idsByPosition = [1, 2, 3, 4, null, 6, 7, 8, 9, 10]
const expected = { idsByPosition, rows: new Map(idsByPosition.flatMap((id) => (id === null ? [] : [[id, `{"id":${id}}`] as const]))) }
const ids = (...list: ReadonlyArray<number>) => new Set(list)

describe("committedPrefix: the rows a commit-durable shard may hold after a kill", () => {
  it("accepts exactly the marked batches", () => {
    expect(committedPrefix("s", ids(1, 2, 3), 3, 3, expected)).toEqual({ reached: 3, beyondMarkers: 0, problems: [] })
    expect(committedPrefix("s", ids(), 0, 3, expected)).toEqual({ reached: 0, beyondMarkers: 0, problems: [] })
  })

  it("accepts the one whole batch committed before its marker was written, rejected records skipped", () => {
    expect(committedPrefix("s", ids(1, 2, 3, 4, 6), 3, 3, expected)).toEqual({ reached: 6, beyondMarkers: 2, problems: [] })
    // The last batch is shorter.
    expect(committedPrefix("s", ids(1, 2, 3, 4, 6, 7, 8, 9, 10), 9, 3, expected).reached).toBe(10)
    expect(committedPrefix("s", ids(1, 2, 3, 4, 6, 7, 8, 9, 10), 10, 3, expected).reached).toBe(10)
  })

  it("refuses part of a batch, two batches past the markers, and marked records missing", () => {
    expect(committedPrefix("s", ids(1, 2, 3, 4), 3, 3, expected).problems).toHaveLength(1)
    expect(committedPrefix("s", ids(1, 2, 3, 4, 6, 7, 8, 9), 3, 3, expected).problems).toHaveLength(1)
    const missing = committedPrefix("s", ids(1, 3), 3, 3, expected)
    expect(missing.reached).toBeNull()
    expect(missing.problems[0]).toContain("1 of the marked records missing")
  })
})
