#!/usr/bin/env node
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { cli, commands } from "./cli.ts"
import { redactSecrets } from "./config/redact.ts"
import { exitCodeOf, isShowHelp, isUsageError } from "./exit-code.ts"
import { errorLine, helpHint, PROGRAM } from "./help.ts"
import { interruptedNote } from "./interrupted-note.ts"
import { runMain } from "./run-main.ts"

const args = process.argv.slice(2)

/**
 * Usage errors effect/cli found are already presented (see help.ts); everything else gets one
 * clear line on stderr, with what came from data or the user escaped, and bad usage found by a
 * command a pointer to that command's help.
 */
const reportFailure = (error: unknown) => {
  if (isShowHelp(error)) return Effect.void
  const line = errorLine(error instanceof Error ? error.message : String(error))
  if (!isUsageError(error)) return Console.error(line)
  const command = commands.find((entry) => entry.help.name === args[0])
  return Console.error(`${line}\n${helpHint(command === undefined ? [PROGRAM] : [PROGRAM, command.help.name])}`)
}

const program = cli(args).pipe(Effect.tapError(reportFailure), Effect.provide(NodeServices.layer))

runMain(program, {
  forcedMessage: "interrupted again: quitting at once; lock files and temp files may be left behind (a lock of a dead process is taken over by the next run)",
  teardown: (exit, why) => {
    // A reader that went away (`populate --json | head`) is not an error worth a message.
    if (why.stdoutClosed && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) return 0
    if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) process.stderr.write(["interrupted", ...interruptedNote(), ""].join("\n"))
    // Expected failures were reported above; a defect is a bug and gets its full cause.
    else if (Exit.isFailure(exit) && Option.isNone(Cause.findErrorOption(exit.cause))) process.stderr.write(`${redactSecrets(Cause.pretty(exit.cause))}\n`)
    return exitCodeOf(exit)
  }
})
