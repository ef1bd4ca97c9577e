/*
 * Text that comes from data (records, rows, paths, messages quoting them) is printed for a
 * human on a terminal, which would obey any control characters in it: ESC starts escape
 * sequences (colours, cursor moves, OSC 52 clipboard writes, window titles), BEL rings, CR
 * overwrites the line, C1 controls (U+0080-U+009F) are 8-bit escapes some terminals honour,
 * and bidirectional overrides reorder what is shown. Human output shows them as escapes;
 * JSON output keeps the data exact.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const unsafeButNewline = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const named: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" }

const escapeOne = (character: string): string => {
  const shown = named[character]
  if (shown !== undefined) return shown
  const code = character.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`
}

/**
 * `text` with every control character shown as an escape (`\x1b`, `\x07`, `\n`, `\x9b`,
 * `\u202e`), so that printing it cannot drive the terminal. With `keepNewlines`, line breaks
 * stay (for messages of several lines).
 */
export const terminalSafe = (text: string, options: { readonly keepNewlines?: boolean } = {}): string =>
  text.replace(options.keepNewlines === true ? unsafeButNewline : unsafe, escapeOne)

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ESC of our own styling is the point
const sgr = /\u001b\[[0-9;]*m/g

/** Columns `text` takes on a terminal: its code points, not counting our own styling (SGR) sequences. */
export const visibleLength = (text: string): number => [...text.replace(sgr, "")].length
