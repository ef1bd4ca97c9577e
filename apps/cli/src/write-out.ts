import { Effect } from "effect"

/** Writes to stdout and waits for it to drain when its buffer is full: big reports stream at the pace of the reader. */
export const writeOut = (chunk: string): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    if (process.stdout.write(chunk)) resume(Effect.void)
    else process.stdout.once("drain", () => resume(Effect.void))
  })
