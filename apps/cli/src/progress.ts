import type { ShardPhase, ShardProgress } from "@distributed-insert/pipeline"
import { Effect, Schedule } from "effect"
import { visibleLength } from "./terminal-text.ts"

/*
 * A small renderer of our own rather than a library (listr2, log-update, cli-progress): what
 * it must get right is few lines long, one line per shard redrawn in place and cut to the
 * terminal's width, and what it must never do is erase what is not its own. On a terminal
 * narrowed under it, log-update moves up by the rows it expects the terminal to have re-wrapped
 * its lines into, which erases the lines above the board in terminals that do not re-wrap
 * (tmux, xterm) and leaves pieces in those that do. Nothing here may start a timer that
 * outlives the load either, which is easiest to guarantee in our own scope.
 */

/** How often the board is redrawn; progress told in between is drawn at the next redraw. */
const REFRESH_MS = 200
/** How often the redraw fiber looks whether a redraw is due (progress told by the load may have drawn since). */
const TICK_MS = 50
/** A run that ends before this never draws at all: no flicker before a small report. */
const FIRST_DRAW_MS = 300

/** Where the board draws: a terminal, normally process.stderr. */
export interface BoardTerminal {
  readonly write: (text: string) => unknown
  /** Its width in columns, now; undefined or 0 when unknown (80 is assumed: a pseudo-terminal may say 0). */
  readonly columns: () => number | undefined
}

/**
 * process.stderr, with its width asked of the terminal at each draw. Node updates `columns`
 * when it handles SIGWINCH, which waits for the event loop; a board drawn in between at the old
 * width, after the terminal re-wrapped the previous one, would leave rows of it behind. The
 * asking is tty.WriteStream's own `_refreshSize` (one ioctl), used when it is there.
 */
const stderrTerminal: BoardTerminal = {
  write: (text) => process.stderr.write(text),
  columns: () => {
    const refresh: unknown = Reflect.get(process.stderr, "_refreshSize")
    if (typeof refresh === "function") {
      try {
        Reflect.apply(refresh, process.stderr, [])
      } catch {
        // The terminal could not be asked (it went away): the last known width is kept.
      }
    }
    return process.stderr.columns
  }
}

/** What the board knows about one shard's load. */
export interface ShardRow {
  readonly shard: string
  /** What its input's `done`/`total` count: bytes of a file, or records of the sample data. */
  readonly unit: "bytes" | "records"
  /** When it started loading (its first progress), in ms; undefined until then. */
  readonly startedAt: number | undefined
  /** When it finished (done or failed), in ms: its rate is frozen from then on. */
  readonly finishedAt: number | undefined
  readonly progress: ShardProgress | undefined
}

export interface ProgressBoard {
  /**
   * Told by the load, from any shard, as often as every 1,000 records: cheap unless a redraw is
   * due. A shard's `done` or `failed` says it finished, in a worker thread too (populate tells it).
   */
  readonly update: (progress: ShardProgress) => void
}

const count = (n: number) => Math.round(n).toLocaleString("en-US")

const clock = (seconds: number) => {
  const whole = Math.max(0, Math.round(seconds))
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`
}

const size = (bytes: number) =>
  bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GB`
    : bytes >= 1024 ** 2
      ? `${(bytes / 1024 ** 2).toFixed(1)} MB`
      : bytes >= 1024
        ? `${(bytes / 1024).toFixed(1)} kB`
        : `${bytes} B`

const MARK: Record<ShardPhase, string> = { loading: " ", writing: " ", done: "✓", failed: "✗" }

/**
 * One shard's line, before truncation: its records so far, its rate (from its own start, and
 * frozen once it finished), how much of its input was read (a percentage of bytes for a file,
 * of records for the sample data) with an ETA, and what it is doing when it is not loading.
 */
export const renderRow = (row: ShardRow, nameWidth: number, now: number): string => {
  const name = row.shard.padEnd(nameWidth)
  const progress = row.progress
  if (progress === undefined || row.startedAt === undefined) return `${name}    starting`
  const end = row.finishedAt ?? now
  const seconds = (end - row.startedAt) / 1000
  const parts = [`${name}  ${MARK[progress.phase]} ${count(progress.seen).padStart(11)} records`]
  parts.push(`${seconds > 0 ? count(progress.seen / seconds) : "-"}/s`.padStart(10))
  const input = progress.input
  if (progress.phase === "done") parts.push(`done in ${seconds.toFixed(1)} s`)
  else if (progress.phase === "failed") parts.push(`failed after ${seconds.toFixed(1)} s`)
  else if (input !== null && input.total !== null && input.total > 0) {
    const fraction = Math.min(1, input.done / input.total)
    const of = row.unit === "bytes" ? `of ${size(input.total)}` : `of ${count(input.total)} records`
    parts.push(`${(fraction * 100).toFixed(0).padStart(3)}% ${of}`)
    if (progress.phase === "writing") parts.push("writing file")
    else if (fraction > 0 && fraction < 1 && seconds >= 1) parts.push(`ETA ${clock((seconds * (1 - fraction)) / fraction)}`)
  } else if (progress.phase === "writing") parts.push("writing file")
  return parts.join("  ")
}

/** Cuts `line` to at most `width` visible columns (it holds no escape sequences). */
export const truncate = (line: string, width: number): string => {
  if (visibleLength(line) <= width) return line
  return width <= 1 ? "" : `${[...line].slice(0, width - 1).join("")}…`
}

/**
 * Live per-shard progress on `terminal` while the current scope is open, erased when it closes
 * (before the report is printed). Each shard says what its input progress counts (`unit`). Does
 * nothing when `enabled` is false (stderr is not a terminal, or `--quiet`).
 */
export const progressBoard = (
  shards: ReadonlyArray<{ readonly shard: string; readonly unit: ShardRow["unit"] }>,
  enabled: boolean,
  terminal: BoardTerminal = stderrTerminal
) =>
  Effect.gen(function* () {
    if (!enabled || shards.length === 0) {
      const silent: ProgressBoard = { update: () => {} }
      return silent
    }
    const rows = new Map<string, ShardRow>(
      shards.map(({ shard, unit }) => [shard, { shard, unit, startedAt: undefined, finishedAt: undefined, progress: undefined }])
    )
    const nameWidth = Math.max(...shards.map(({ shard }) => shard.length))
    const created = Date.now()
    let lastDraw = 0
    let closed = false
    // How many lines of the board are on the screen, and the longest one's length.
    let drawn = 0
    let longest = 0

    const width = () => {
      const columns = terminal.columns()
      return columns !== undefined && columns > 0 ? columns : 80
    }
    // Back to the board's first line, and everything from there erased. When the terminal was
    // narrowed below the board's longest line since it was drawn, some terminals re-wrapped it
    // into more rows and some did not, so where its first line now is cannot be known: it is
    // left as it is, and the board drawn again below it.
    const backToTop = (columns: number) => (drawn > 0 && longest < columns ? `\r\u001b[${drawn}A\u001b[0J` : "")
    const draw = () => {
      const now = Date.now()
      if (closed || now - created < FIRST_DRAW_MS || now - lastDraw < REFRESH_MS) return
      lastDraw = now
      const columns = width()
      // One column short of the width: a line that fills it leaves some terminals waiting to wrap.
      const lines = [...rows.values()].map((row) => truncate(renderRow(row, nameWidth, now), columns - 1))
      terminal.write(`${backToTop(columns)}${lines.join("\n")}\n`)
      drawn = lines.length
      longest = Math.max(...lines.map(visibleLength))
    }
    const erase = Effect.sync(() => {
      closed = true
      terminal.write(backToTop(width()))
      drawn = 0
    })

    // Finalizers run last-added first: the redraw fiber is interrupted, then the board erased.
    yield* Effect.addFinalizer(() => erase)
    // Forked in the scope's ordinary, interruptible region (not inside an acquire, whose
    // uninterruptibility a fiber forked there would inherit, making it impossible to stop).
    yield* Effect.forkScoped(Effect.repeat(Effect.sync(draw), Schedule.spaced(`${TICK_MS} millis`)))

    const board: ProgressBoard = {
      update: (progress) => {
        const row = rows.get(progress.shard)
        if (row === undefined) return
        const now = Date.now()
        const finished = progress.phase === "done" || progress.phase === "failed"
        rows.set(progress.shard, {
          ...row,
          startedAt: row.startedAt ?? now,
          finishedAt: finished ? (row.finishedAt ?? now) : undefined,
          progress
        })
        // Shards running as fibers keep this thread busy for a whole batch and tell their
        // progress from inside it: drawing here is what lets the counts move within a batch.
        draw()
      }
    }
    return board
  })
