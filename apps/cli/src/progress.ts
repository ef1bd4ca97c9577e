import type { ShardProgress } from "@distributed-insert/core"
import { Effect, Fiber, Schedule } from "effect"

const REFRESH = "250 millis"

export interface ProgressBoard {
  readonly update: (progress: ShardProgress) => void
}

const format = (n: number) => Math.round(n).toLocaleString("en-US")

const duration = (seconds: number) => {
  const whole = Math.max(0, Math.round(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`
}

/**
 * Live per-shard progress on stderr (records, rate, and percentage and ETA when the input's
 * size is known), redrawn in place while the scope is open and erased when it closes, so the
 * report that follows stands alone. Off when stderr is not a terminal, or with `--quiet`.
 */
export const progressBoard = (shards: ReadonlyArray<string>, enabled: boolean) =>
  Effect.gen(function* () {
    const latest = new Map<string, ShardProgress>()
    const board: ProgressBoard = { update: (progress) => latest.set(progress.shard, progress) }
    if (!enabled || shards.length === 0) return board
    const started = Date.now()
    const width = Math.max(...shards.map((shard) => shard.length))
    let drawn = 0
    const line = (shard: string) => {
      const progress = latest.get(shard)
      if (progress === undefined) return `${shard.padEnd(width)}  starting`
      const elapsed = (Date.now() - started) / 1000
      const { processed } = progress.counts
      const parts = [`${shard.padEnd(width)}  ${format(processed).padStart(11)} records`, `${format(elapsed > 0 ? processed / elapsed : 0).padStart(9)}/s`]
      const input = progress.input
      if (input !== null && input.total !== null && input.total > 0) {
        const fraction = Math.min(1, input.done / input.total)
        parts.push(`${(fraction * 100).toFixed(0).padStart(3)}%`)
        if (fraction > 0 && fraction < 1) parts.push(`ETA ${duration((elapsed * (1 - fraction)) / fraction)}`)
      }
      return parts.join("  ")
    }
    const draw = Effect.sync(() => {
      const up = drawn > 0 ? `\u001b[${drawn}A` : ""
      process.stderr.write(`${up}${shards.map((shard) => `\u001b[2K${line(shard)}`).join("\n")}\n`)
      drawn = shards.length
    })
    const erase = Effect.sync(() => {
      if (drawn > 0) process.stderr.write(`\u001b[${drawn}A\u001b[0J`)
      drawn = 0
    })
    yield* Effect.acquireRelease(Effect.forkDaemon(Effect.repeat(draw, Schedule.spaced(REFRESH))), (fiber) =>
      Fiber.interrupt(fiber).pipe(Effect.zipRight(erase))
    )
    return board
  })
