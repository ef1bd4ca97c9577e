/** A process to start: an executable and its arguments, never a shell line. */
export interface Command {
  readonly file: string
  readonly args: ReadonlyArray<string>
  /** The working directory; the benchmark's own by default. */
  readonly cwd?: string
}
