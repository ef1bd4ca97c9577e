import { Console, Context, Effect } from "effect"
import { type CliError, CliOutput, Command, Flag, GlobalFlag } from "effect/cli"
import { redactSecrets } from "./config/redact.ts"
import { style } from "./style.ts"
import { terminalSafe } from "./terminal-text.ts"

/*
 * `--help`, `--version` and usage errors, rendered here rather than by effect/cli's default
 * formatter, which shows no defaults, names neither the environment variable nor the options
 * that repeat, prints the whole help above a usage error and has no room for examples of a
 * whole command line or the exit codes. effect/cli still parses everything and decides when
 * help is asked for (`-h` anywhere before `--`); it hands each such event to the presenter
 * below. Each command declares its help beside its flags (`withHelp`, an annotation of the
 * command), and a test holds the two to the same options, arguments and required options.
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

/** The help a command declares, carried on the command as an annotation for the presenter. */
export const CommandHelpKey = Context.Service<CommandHelp>("distributed-insert/CommandHelp")

/** Gives `command` its declared help: its summary as effect/cli's description, the whole for `--help`. */
export const withHelp =
  (help: CommandHelp) =>
  <Name extends string, Input, E, R, ContextInput>(command: Command.Command<Name, Input, ContextInput, E, R>) =>
    command.pipe(Command.withDescription(help.summary), Command.annotate(CommandHelpKey, help))

/** `-V, --version`: effect/cli's own version flag spells its short form `-v`; this CLI has always said `-V`. */
const versionFlag = GlobalFlag.Action({
  flag: Flag.Boolean("version").pipe(Flag.withAlias("V"), Flag.withDescription("Print the version"), Flag.withDefault(false)),
  run: Effect.fnUntraced(function* (_, { command, version }) {
    const presenter = yield* CliOutput.Presenter
    yield* presenter.present({ _tag: "Version", name: command.name, version })
  })
})

/**
 * The built-in flags this CLI answers: help and version. effect/cli's `--wizard` (prompts for
 * each flag), `--completions` and `--log-level` (the commands log nothing) would only be
 * noise in every command's help and a way to misuse it.
 */
export const BUILT_IN_FLAGS: ReadonlyArray<GlobalFlag.BuiltIn> = [GlobalFlag.Help, versionFlag]

/** What a usage error says, in this CLI's words for a bad value: `--limit takes a whole number, 1 or more, not '-1'`. */
export const usageMessage = (error: CliError.CliError): string => {
  if (error._tag === "InvalidValue" && error.kind === "flag") {
    if (error.value === "") return `--${error.option} needs a value`
    if (/^\d+ occurrences$/.test(error.value)) return `--${error.option} can be given only once`
    return `--${error.option} takes ${expectedValue(error.expected)}, not '${error.value}'`
  }
  return error.message
}

/**
 * What a flag's value must be, as the end of "--name takes ...": our own flags' `expected` reads
 * so already ("a whole number, 1 or more"); a `Flag.Literals` choice says `"auto" | "on" | "off"`,
 * which reads better as `one of auto, on, off`.
 */
const expectedValue = (expected: string): string => {
  const choices = /^"[^"]*"(?: \| "[^"]*")+$/.test(expected) ? [...expected.matchAll(/"([^"]*)"/g)].map((match) => match[1]) : undefined
  return choices === undefined ? expected.replace(/^Expected:? /, "") : `one of ${choices.join(", ")}`
}

/** Where to read about the usage the user got wrong: the command's own help when one was named. */
export const helpHint = (commandPath: ReadonlyArray<string>): string => `See '${[PROGRAM, ...commandPath.slice(1)].join(" ")} --help'.`

/**
 * A line of stderr for an error: red when colours are on, control characters in it escaped, and
 * any database URL's password taken out, whatever failed and said it.
 */
export const errorLine = (message: string): string => style.red(`error: ${terminalSafe(redactSecrets(message), { keepNewlines: true })}`)

/**
 * effect/cli's presenter for this CLI: help on stdout in this file's layout, wrapped to the
 * terminal; the version as `distributed-insert 0.1.0`; a usage error as `error: ...` lines and
 * a pointer to the command's help on stderr (not the whole help, as git and cargo do).
 */
export const presenter = (commands: ReadonlyArray<CommandHelp>, program: { readonly description: string; readonly version: string }): CliOutput.Presenter => ({
  present: (event) => {
    switch (event._tag) {
      case "Version":
        return Console.log(`${PROGRAM} ${event.version}`)
      case "Help": {
        const help = Context.getOrUndefined(event.helpDoc.annotations, CommandHelpKey)
        return Console.log(help === undefined ? renderRootHelp(commands, program, process.stdout.columns) : renderCommandHelp(help, process.stdout.columns))
      }
      case "InvalidInvocation":
        return Console.error([...event.errors.map((error) => errorLine(usageMessage(error))), helpHint(event.commandPath)].join("\n"))
    }
  }
})
