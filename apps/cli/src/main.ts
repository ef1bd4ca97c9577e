#!/usr/bin/env node
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { cli, commands } from "./cli.ts"
import { exitCodeOf, isUsageError } from "./exit-code.ts"
import { PROGRAM } from "./help.ts"
import { runMain } from "./run-main.ts"
import { colorsEnabled, style, withoutColors } from "./style.ts"
import { terminalSafe } from "./terminal-text.ts"

/** Where to read about the usage the user got wrong: the command's own help when one was named. */
const helpHint = (args: ReadonlyArray<string>) => {
  const command = commands.find((entry) => entry.help.name === args[0])
  return `See '${PROGRAM}${command === undefined ? "" : ` ${command.help.name}`} --help'.`
}

/**
 * Usage errors are already explained by @effect/cli, and get a pointer to the help; everything
 * else gets one clear line on stderr, with what came from data or the user escaped.
 */
const reportFailure = (error: unknown) => {
  if (ValidationError.isValidationError(error)) return Console.error(helpHint(process.argv.slice(2)))
  const line = style.red(`error: ${terminalSafe(error instanceof Error ? error.message : String(error), { keepNewlines: true })}`)
  return Console.error(isUsageError(error) ? `${line}\n${helpHint(process.argv.slice(2))}` : line)
}

const program = Effect.flatMap(Effect.console, (console) =>
  cli(process.argv).pipe(
    Effect.tapError(reportFailure),
    Effect.provide(NodeContext.layer),
    Effect.withConsole(colorsEnabled ? console : withoutColors(console))
  )
)

runMain(program, {
  forcedMessage: "interrupted again: quitting at once; lock files and temp files may be left behind (a lock of a dead process is taken over by the next run)",
  teardown: (exit, why) => {
    // A reader that went away (`populate --json | head`) is not an error worth a message.
    if (why.stdoutClosed && Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) return 0
    if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) process.stderr.write("interrupted\n")
    // Expected failures were reported above; a defect is a bug and gets its full cause.
    else if (Exit.isFailure(exit) && Option.isNone(Cause.failureOption(exit.cause))) process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
    return exitCodeOf(exit)
  }
})
