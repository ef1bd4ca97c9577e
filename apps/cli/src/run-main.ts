import { type Effect, type Exit, Runtime } from "effect"

/**
 * A second SIGINT this soon after the first is the same Ctrl-C: at a terminal the signal goes
 * to every process of the foreground group, and `pnpm ... start` forwards its own copy to the
 * CLI as well. Only a later one means "quit now".
 */
const SAME_INTERRUPT_MS = 1000

export interface MainOptions {
  /** Called once with how the program ended; returns the exit code, having said what needs saying. */
  readonly teardown: (exit: Exit.Exit<unknown, unknown>, why: { readonly stdoutClosed: boolean }) => number
  /** What to print on stderr when a second, later Ctrl-C makes the process quit at once. */
  readonly forcedMessage: string
}

/**
 * Runs the CLI's program as the process: SIGINT and SIGTERM interrupt it, so that every scope
 * closes (progress erased, shard locks released, the run's temp folder removed) before the
 * process exits with 130. A reader of stdout that goes away (`populate --json | head`, EPIPE)
 * interrupts it the same way, quietly. The process then exits as soon as stdout is flushed,
 * even if some handle would keep it alive.
 *
 * Built on Effect's `Runtime.makeRunMain` (which also keeps the process alive while the fiber
 * waits on nothing Node counts) as @effect/platform-node's runMain is, but unlike that one a
 * second SIGINT within a second is ignored rather than ending the process on the spot (the
 * default action once its handler is removed), which under `pnpm start` happens on every
 * Ctrl-C and would leave the locks and temp files behind; a Ctrl-C pressed later does end it.
 */
export const runMain = <E>(program: Effect.Effect<void, E>, options: MainOptions): void => {
  let stdoutClosed = false
  const run = Runtime.makeRunMain(({ fiber, teardown }) => {
    let signalAt: number | undefined
    const interrupt = () => fiber.interruptUnsafe(fiber.id)

    const onSignal = () => {
      const now = Date.now()
      if (signalAt === undefined) {
        signalAt = now
        interrupt()
      } else if (now - signalAt > SAME_INTERRUPT_MS) {
        process.stderr.write(`\n${options.forcedMessage}\n`)
        process.exit(130)
      }
    }
    process.on("SIGINT", onSignal)
    process.on("SIGTERM", onSignal)

    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error
      if (stdoutClosed) return
      stdoutClosed = true
      interrupt()
    })

    fiber.addObserver((exit) =>
      teardown(exit, (code) => {
        process.exitCode = code
        // Exit once what was written to stdout is out, whatever handle is left open.
        if (stdoutClosed) process.exit(code)
        else process.stdout.write("", () => process.exit(code))
      })
    )
  })
  // The program reports its own failures (main.ts): Effect's report would repeat them.
  run(program, { disableErrorReporting: true, teardown: (exit, onExit) => onExit(options.teardown(exit, { stdoutClosed })) })
}
