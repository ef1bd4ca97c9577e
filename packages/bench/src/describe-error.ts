/**
 * An error as the report shows it. The benchmark's own errors (plain `Error`s) explain
 * themselves, with their cause; any other kind (a TypeError, say) is a bug: its stack.
 */
export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  if (error.constructor !== Error) return error.stack ?? error.message
  return error.cause instanceof Error ? `${error.message}\n  cause: ${error.cause.message}` : error.message
}
