#!/usr/bin/env node
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { cli } from "./cli.ts"
import { exitCodeOf } from "./exit-code.ts"
import { colorsEnabled, style, withoutColors } from "./style.ts"

/** Usage errors are already explained by @effect/cli; everything else gets one clear line on stderr. */
const reportFailure = (error: unknown) =>
  ValidationError.isValidationError(error) ? Effect.void : Console.error(style.red(`error: ${error instanceof Error ? error.message : String(error)}`))

// A reader that goes away (`populate --json | head`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0)
  throw error
})

const program = Effect.flatMap(Effect.console, (console) =>
  cli(process.argv).pipe(
    Effect.tapError(reportFailure),
    Effect.provide(NodeContext.layer),
    Effect.withConsole(colorsEnabled ? console : withoutColors(console))
  )
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    // Expected failures were reported above; a defect is a bug and gets its full cause.
    if (Exit.isFailure(exit) && Option.isNone(Cause.failureOption(exit.cause)) && !Cause.isInterruptedOnly(exit.cause)) {
      process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    }
    onExit(exitCodeOf(exit))
  }
})
