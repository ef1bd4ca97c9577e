import type { ShardProgress } from "@distributed-insert/pipeline"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { type BoardTerminal, progressBoard, renderRow, truncate } from "./progress.ts"

// The board against a terminal that keeps what is written to it (the pseudo-terminal tests in
// pty.test.ts run the real thing end to end); here, the cases a real terminal cannot be made
// to produce on demand: a resize between two draws, and closing the board while it draws.

const recordingTerminal = (columns: number) => {
  const state = { columns, written: "" }
  const terminal: BoardTerminal = {
    write: (text) => {
      state.written += text
    },
    columns: () => state.columns
  }
  return { state, terminal }
}

const progress = (shard: string, seen: number, phase: ShardProgress["phase"] = "loading"): ShardProgress => ({
  shard,
  phase,
  counts: { processed: seen, inserted: seen, replaced: 0, skipped: 0, invalid: 0, failed: 0 },
  seen,
  input: { done: seen * 70, total: 600_000 * 70 },
  durable: { through: 0, counts: { processed: 0, inserted: 0, replaced: 0, skipped: 0, invalid: 0, failed: 0 } }
})

const shards = [
  { shard: "users", unit: "bytes" },
  { shard: "orders", unit: "bytes" }
] as const

/**
 * Runs `effect` in a fiber of its own and waits for it at most 2 seconds: an effect that cannot
 * end (a scope that cannot close, a fiber that cannot be interrupted) fails the test with
 * `what` instead of hanging it, as the wait alone is interrupted at the timeout.
 */
const within = <A, E>(effect: Effect.Effect<A, E>, what: string) =>
  Effect.flatMap(Effect.forkDetach(effect), (fiber) =>
    Fiber.join(fiber).pipe(Effect.timeoutOrElse({ duration: "2 seconds", orElse: () => Effect.fail(new Error(what)) }))
  )

/** Lets the board's first-draw delay pass in real time (the board reads Date.now). */
const pastFirstDraw = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 350)))

describe("progressBoard", () => {
  it.live("closing its scope stops the redraw fiber and erases the board (the quick start once hung here)", () =>
    Effect.gen(function* () {
      const { state, terminal } = recordingTerminal(100)
      yield* within(
        Effect.scoped(
          Effect.gen(function* () {
            const board = yield* progressBoard(shards, true, terminal)
            yield* pastFirstDraw
            board.update(progress("users", 1000))
            yield* Effect.sleep("300 millis")
          })
        ),
        "the board's scope did not close"
      )
      expect(state.written).toContain("users")
      // The last thing written is the erase of the board's two lines.
      expect(state.written.endsWith("\r\u001b[2A\u001b[0J")).toBe(true)
      const after = state.written.length
      yield* Effect.sleep("300 millis")
      expect(state.written.length).toBe(after)
    })
  )

  it.live("is interrupted like any fiber while it draws", () =>
    Effect.gen(function* () {
      const { terminal } = recordingTerminal(100)
      const fiber = yield* Effect.forkChild(Effect.scoped(Effect.andThen(progressBoard(shards, true, terminal), Effect.never)))
      yield* pastFirstDraw
      yield* within(Fiber.interrupt(fiber), "not interrupted")
    })
  )

  it.live("after the terminal is narrowed below its lines, leaves the old board and draws below it, cut to the new width", () =>
    Effect.gen(function* () {
      const { state, terminal } = recordingTerminal(100)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const board = yield* progressBoard(shards, true, terminal)
          yield* pastFirstDraw
          board.update(progress("users", 1000))
          yield* Effect.sleep("250 millis")
          board.update(progress("users", 2000))
          const beforeResize = state.written.length
          // Each redraw so far went back up over the two lines it replaces.
          expect(state.written).toContain("\r\u001b[2A\u001b[0J")
          state.columns = 30
          yield* Effect.sleep("250 millis")
          board.update(progress("users", 3000))
          const afterResize = state.written.slice(beforeResize)
          const firstDrawAfter = afterResize.slice(0, afterResize.indexOf("\n", afterResize.indexOf("\n") + 1))
          expect(firstDrawAfter).not.toContain("\u001b[2A")
          for (const line of firstDrawAfter.split("\n")) expect([...line].length).toBeLessThan(30)
        })
      )
    })
  )

  it.effect("draws nothing when disabled (--quiet, or stderr not a terminal)", () =>
    Effect.gen(function* () {
      const { state, terminal } = recordingTerminal(100)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const board = yield* progressBoard(shards, false, terminal)
          board.update(progress("users", 1000))
          yield* TestClock.adjust("5 seconds")
        })
      )
      expect(state.written).toBe("")
    })
  )
})

describe("a shard's line", () => {
  const row = { shard: "users", unit: "bytes" as const, startedAt: 0, finishedAt: undefined, progress: progress("users", 100_000) }

  it("shows records, the rate from the shard's own start, the share of bytes read and an ETA", () => {
    expect(renderRow(row, 6, 10_000)).toBe("users         100,000 records    10,000/s   17% of 40.1 MB  ETA 0:50")
  })

  it("once done, is marked so, with its rate frozen at its end", () => {
    const done = { ...row, finishedAt: 20_000, progress: progress("users", 600_000, "done") }
    expect(renderRow(done, 6, 20_000)).toBe("users   ✓     600,000 records    30,000/s  done in 20.0 s")
    expect(renderRow(done, 6, 90_000)).toBe(renderRow(done, 6, 20_000))
  })

  it("counts the sample data's progress in records, not bytes", () => {
    const sample = { ...row, unit: "records" as const, progress: { ...progress("users", 5), input: { done: 5, total: 10 } } }
    expect(renderRow(sample, 6, 10_000)).toContain(" 50% of 10 records")
  })

  it("is cut to the width with an ellipsis", () => {
    expect(truncate("users      100,000 records", 12)).toBe("users      …")
    expect(truncate("short", 12)).toBe("short")
  })
})
