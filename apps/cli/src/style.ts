import type { Console } from "effect"

/**
 * Terminal styling: colours only when stdout is a terminal and NO_COLOR is not set
 * (https://no-color.org), so pipes and files get plain text.
 */
export const colorsEnabled = process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === ""

const paint = (code: number) => (text: string) => (colorsEnabled ? `\u001b[${code}m${text}\u001b[0m` : text)

export const style = {
  bold: paint(1),
  dim: paint(2),
  red: paint(31),
  green: paint(32)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ESC of ANSI sequences is the point
const ansiSequence = /\u001b\[[0-9;]*m/g

const strip = (value: unknown): unknown => (typeof value === "string" ? value.replace(ansiSequence, "") : value)

/**
 * A console that drops ANSI styling: @effect/cli renders help and usage errors in colour
 * unconditionally, and this is how that output follows the same rule as ours.
 */
export const withoutColors = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args: ReadonlyArray<unknown>) => console.log(...args.map(strip)),
  error: (...args: ReadonlyArray<unknown>) => console.error(...args.map(strip)),
  info: (...args: ReadonlyArray<unknown>) => console.info(...args.map(strip)),
  warn: (...args: ReadonlyArray<unknown>) => console.warn(...args.map(strip))
})
