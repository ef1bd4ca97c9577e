import type { Command } from "../measure/command.ts"

/** A path and what the report shows instead (`$WORK`, `node`, a path relative to the repository). */
export type Abbreviation = readonly [path: string, shownAs: string]

/**
 * A command as one could paste it into a shell (after setting the variables it mentions), with
 * long machine-specific paths abbreviated. Arguments that need it are double-quoted, leaving
 * `$WORK` and `$OUT` to the shell.
 */
export const displayCommand = (command: Command, abbreviations: ReadonlyArray<Abbreviation>): string =>
  [command.file, ...command.args].map((part) => quote(abbreviate(part, abbreviations))).join(" ")

const abbreviate = (text: string, abbreviations: ReadonlyArray<Abbreviation>): string =>
  abbreviations.reduce((shown, [path, shownAs]) => shown.replaceAll(path, shownAs), text)

const quote = (part: string): string => (/^[\w@%+=:,./$-]+$/.test(part) ? part : `"${part.replace(/["\\`]/g, "\\$&")}"`)
