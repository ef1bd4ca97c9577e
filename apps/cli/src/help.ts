/*
 * `--help` and `--version`, rendered here rather than by @effect/cli 0.77, whose help says
 * `$ populate` for the usage, "A user-defined piece of text." under every option, marks
 * repeatable options as required, shows no defaults, never names the environment variable,
 * lists its own --wizard and --log-level, and pads the command list to the longest usage line.
 * The options are still parsed by @effect/cli; each command declares its help beside its
 * options, and a test holds the two to the same option names. Kept small on purpose: the CLI
 * moves to Effect 4's `effect/cli` next, and this is what would change.
 */

/** One option as `--help` shows it. */
export interface OptionHelp {
  /** The option with its value's name: `--batch-size N`, `--workers auto|on|off`, `--json`. */
  readonly flag: string
  readonly description: string
  /** Shown as `[default: ...]`. */
  readonly default?: string
  /** The environment variable it falls back to, shown as `[env: ...]`. */
  readonly env?: string
  /** May be given several times: shown as `(repeatable)`. */
  readonly repeatable?: boolean
  /** Must be given: shown in the usage line. */
  readonly required?: boolean
}

export interface CommandHelp {
  readonly name: string
  /** One line, for the command list. */
  readonly summary: string
  /** Paragraphs after the summary in the command's own help. */
  readonly details?: ReadonlyArray<string>
  /** Positional arguments, in order, with what they are. */
  readonly args?: ReadonlyArray<{ readonly name: string; readonly description: string }>
  readonly options: ReadonlyArray<OptionHelp>
  readonly examples?: ReadonlyArray<string>
}

export const PROGRAM = "distributed-insert"

const helpOption: OptionHelp = { flag: "-h, --help", description: "Print this help" }
const MAX_WIDTH = 100
const MIN_WIDTH = 60

/** Help is wrapped to the terminal when there is one, and to 100 columns at most. */
const widthOf = (columns: number | undefined) => Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, columns !== undefined && columns > 0 ? columns : MAX_WIDTH))

/** Breaks `text` into lines of at most `width` characters, at spaces. */
export const wrap = (text: string, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((part) => part !== "")) {
    if (line === "") line = word
    else if (line.length + 1 + word.length <= width) line = `${line} ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/**
 * Two columns, `left` then `right` wrapped beside it; a `left` too long for its column puts
 * `right` on the lines below it, as clap and git do.
 */
const twoColumns = (rows: ReadonlyArray<readonly [string, string]>, width: number): Array<string> => {
  const indent = 2
  const longest = Math.max(...rows.map(([left]) => left.length))
  const column = Math.min(longest, 28) + indent + 2
  const out: Array<string> = []
  for (const [left, right] of rows) {
    const wrapped = wrap(right, width - column)
    const head = `${" ".repeat(indent)}${left}`
    if (head.length + 2 <= column) out.push(`${head.padEnd(column)}${wrapped[0] ?? ""}`.trimEnd(), ...wrapped.slice(1).map((line) => `${" ".repeat(column)}${line}`))
    else out.push(head, ...wrapped.map((line) => `${" ".repeat(column)}${line}`))
  }
  return out
}

const optionText = (option: OptionHelp): string =>
  [
    option.description,
    option.repeatable === true ? "(repeatable)" : "",
    option.default === undefined ? "" : `[default: ${option.default}]`,
    option.env === undefined ? "" : `[env: ${option.env}]`
  ]
    .filter((part) => part !== "")
    .join(" ")

/** `distributed-insert populate [OPTIONS]`, or with the required options and the arguments. */
export const usageLine = (command: CommandHelp): string =>
  [
    PROGRAM,
    command.name,
    ...command.options.filter((option) => option.required === true).map((option) => option.flag),
    "[OPTIONS]",
    ...(command.args ?? []).map((arg) => arg.name)
  ].join(" ")

/** A command's `--help`. */
export const renderCommandHelp = (command: CommandHelp, columns?: number): string => {
  const width = widthOf(columns)
  const paragraphs = [command.summary, ...(command.details ?? [])].map((paragraph) => wrap(paragraph, width).join("\n"))
  const sections = [...paragraphs, `Usage: ${usageLine(command)}`]
  if (command.args !== undefined && command.args.length > 0) {
    sections.push(["Arguments:", ...twoColumns(command.args.map((arg) => [arg.name, arg.description] as const), width)].join("\n"))
  }
  sections.push(["Options:", ...twoColumns([...command.options, helpOption].map((option) => [option.flag, optionText(option)] as const), width)].join("\n"))
  if (command.examples !== undefined && command.examples.length > 0) {
    sections.push(["Examples:", ...command.examples.map((example) => `  ${example}`)].join("\n"))
  }
  return sections.join("\n\n")
}

/** The program's `--help`: its commands, its own options, what it reads from the environment, its exit codes. */
export const renderRootHelp = (commands: ReadonlyArray<CommandHelp>, options: { readonly description: string; readonly version: string }, columns?: number): string => {
  const width = widthOf(columns)
  return [
    `${PROGRAM} ${options.version}\n${wrap(options.description, width).join("\n")}`,
    `Usage: ${PROGRAM} <COMMAND> [OPTIONS]`,
    ["Commands:", ...twoColumns(commands.map((command) => [command.name, command.summary] as const), width)].join("\n"),
    ["Options:", ...twoColumns([helpOption, { flag: "-V, --version", description: "Print the version" }].map((option) => [option.flag, optionText(option)] as const), width)].join("\n"),
    [
      "Environment:",
      ...twoColumns(
        [
          ["DISTRIBUTED_INSERT_DATA_DIR", "Directory of the shard files when --data-dir is not given (default ./data)"],
          ["NO_COLOR", "When set, no colours (colours are used only when stdout is a terminal)"]
        ],
        width
      )
    ].join("\n"),
    [
      "Exit codes:",
      ...twoColumns(
        [
          ["0", "The command completed (for populate, rejected records are results)"],
          ["1", "A shard or an input failed, or a check found a problem, a record was not found, --fail-on-reject"],
          ["2", "Bad usage: unknown command, option, shard or model, or a bad value"],
          ["130", "Interrupted (Ctrl-C, SIGTERM)"]
        ],
        width
      )
    ].join("\n"),
    `See '${PROGRAM} <COMMAND> --help' for a command's options.`
  ].join("\n\n")
}

/** What the arguments ask of the help: a command's help, the program's, the version, or none of these. */
export type HelpRequest =
  | { readonly _tag: "CommandHelp"; readonly command: CommandHelp }
  | { readonly _tag: "RootHelp" }
  | { readonly _tag: "Version" }
  | { readonly _tag: "None" }

/**
 * `--help`/`-h` anywhere before `--` asks for help: the command's when one is named, else the
 * program's, as does no argument at all. `--version`/`-V` alone asks for the version.
 */
export const helpRequest = (args: ReadonlyArray<string>, commands: ReadonlyArray<CommandHelp>): HelpRequest => {
  const end = args.indexOf("--")
  const options = end === -1 ? args : args.slice(0, end)
  if (args.length === 0) return { _tag: "RootHelp" }
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) return { _tag: "Version" }
  if (!options.includes("--help") && !options.includes("-h")) return { _tag: "None" }
  const command = commands.find((candidate) => candidate.name === args[0])
  return command === undefined ? { _tag: "RootHelp" } : { _tag: "CommandHelp", command }
}
