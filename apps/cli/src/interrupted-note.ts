import { Effect } from "effect"

/**
 * What the command that was running has to say when the process is interrupted (Ctrl-C,
 * SIGTERM), printed by main.ts after "interrupted": by then every scope has closed, so the
 * progress board is erased and the locks are released. A process runs one command, whose
 * interruption leaves it here.
 */
let note: ReadonlyArray<string> = []

export const leaveInterruptedNote = (lines: ReadonlyArray<string>): Effect.Effect<void> =>
  Effect.sync(() => {
    note = lines
  })

export const interruptedNote = (): ReadonlyArray<string> => note
