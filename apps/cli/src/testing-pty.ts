import { spawn } from "node:child_process"

/**
 * Runs `command` (a shell command line) under a pseudo-terminal, as a person at a terminal
 * would: `script` from util-linux gives it a pty, so stdout and stderr are TTYs and Ctrl-C
 * (`\x03` written to the pty) is turned into SIGINT for its foreground process group by the
 * terminal's line discipline. What the terminal shows (stdout and stderr, in order, with the
 * escape sequences) is collected as `output`.
 *
 * A command that does not end within `timeoutMs` is killed and the run resolves with
 * `timedOut`: a hang fails the test rather than hanging it.
 */
export interface PtyRun {
  /** The command's exit code (script -e passes it on); null when killed. */
  readonly code: number | null
  readonly output: string
  readonly timedOut: boolean
  /** When the command ended, in ms since it started. */
  readonly endedAt: number
}

export interface PtySession {
  /** What the terminal has shown so far. */
  readonly output: () => string
  /** Types `text` at the terminal (`"\x03"` is Ctrl-C). */
  readonly type: (text: string) => void
  /** Ms since the command started. */
  readonly elapsed: () => number
  readonly done: Promise<PtyRun>
}

export const startInPty = (
  command: string,
  options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string | undefined>>; readonly timeoutMs: number }
): PtySession => {
  const started = Date.now()
  // A terminal, not the test runner's pipes: no NO_COLOR or FORCE_COLOR unless the test says so.
  const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...inherited } = process.env
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    cwd: options.cwd,
    env: { ...inherited, TERM: "xterm-256color", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  let timedOut = false
  const killAll = (signal: NodeJS.Signals) => {
    // script, and the session it started on the pty: everything the test began.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal)
      } catch {
        // Already gone.
      }
    }
  }
  const timer = setTimeout(() => {
    timedOut = true
    killAll("SIGTERM")
    setTimeout(() => killAll("SIGKILL"), 2000).unref()
  }, options.timeoutMs)
  const done = new Promise<PtyRun>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, output, timedOut, endedAt: Date.now() - started })
    })
  })
  return {
    output: () => output,
    type: (text) => {
      child.stdin.write(text)
    },
    elapsed: () => Date.now() - started,
    done
  }
}

export const runInPty = (command: string, options: Parameters<typeof startInPty>[1]): Promise<PtyRun> => startInPty(command, options).done

/** Waits until `condition` holds, checking every 50 ms; fails after `timeoutMs`. */
export const waitUntil = async (what: string, condition: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A shell word: `command` lines are built from paths that may hold spaces. */
export const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is looked for
export const SGR = /\u001b\[[0-9;]*m/
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is looked for
export const CURSOR_MOVES = /\u001b\[\d*[ABJK]/
