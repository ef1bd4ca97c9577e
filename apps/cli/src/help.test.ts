import { CliConfig, Command, HelpDoc } from "@effect/cli"
import { describe, expect, it } from "vitest"
import { commands } from "./cli.ts"
import { checkCommand } from "./commands/check.ts"
import { generateCommand } from "./commands/generate.ts"
import { getCommand } from "./commands/get.ts"
import { listCommand } from "./commands/list.ts"
import { migrateCommand } from "./commands/migrate.ts"
import { populateCommand } from "./commands/populate.ts"
import { shardsCommand } from "./commands/shards.ts"
import { helpRequest, renderCommandHelp, usageLine } from "./help.ts"
import { runCli } from "./testing.ts"

// biome-ignore lint/suspicious/noControlCharactersInRegex: @effect/cli's help is styled
const sgr = /\u001b\[[0-9;]*m/g

/** The options in @effect/cli's own help text of a command: those it parses, which the declared help must match. */
const optionsIn = (doc: HelpDoc.HelpDoc): Array<string> => {
  const text = HelpDoc.toAnsiText(doc).replace(sgr, "")
  const builtIns = new Set(["--completions", "--log-level", "--help", "--wizard", "--version"])
  return [...text.matchAll(/^(--[a-z-]+)/gm)].map((match) => match[1] ?? "").filter((name) => !builtIns.has(name))
}

const config = CliConfig.defaultConfig
const parsed: Readonly<Record<string, HelpDoc.HelpDoc>> = {
  populate: Command.getHelp(populateCommand, config),
  generate: Command.getHelp(generateCommand, config),
  migrate: Command.getHelp(migrateCommand, config),
  shards: Command.getHelp(shardsCommand, config),
  check: Command.getHelp(checkCommand, config),
  list: Command.getHelp(listCommand, config),
  get: Command.getHelp(getCommand, config)
}

const declaredOptions = (help: (typeof commands)[number]["help"]): Array<string> =>
  help.options.map((option) => /--[a-z-]+/.exec(option.flag)?.[0] ?? option.flag)

describe("--help", () => {
  it.each(commands.map((entry) => [entry.help.name, entry] as const))("%s declares exactly the options it parses", (_name, entry) => {
    const doc = parsed[entry.help.name]
    expect(doc).toBeDefined()
    if (doc !== undefined) expect(declaredOptions(entry.help).sort()).toEqual(optionsIn(doc).sort())
  })

  it("a command's help: its usage as `distributed-insert <command>`, defaults, the environment variable, repeatable options as such", async () => {
    const run = await runCli(["populate", "--help"])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Usage: distributed-insert populate [OPTIONS]\n")
    // Each option on one line: its description's continuation lines joined back.
    const options = run.stdout.replace(/\n {20,}/g, " ")
    expect(options).toMatch(/--batch-size N +Records validated and inserted per transaction \[default: 10,000\]/)
    expect(options).toMatch(/--checkpoint-records N +.*\[default: 100,000\]/)
    expect(options).toMatch(/--checkpoint-seconds T +.*\[default: 30\]/)
    expect(options).toMatch(/\[default: \.\/data\] \[env: DISTRIBUTED_INSERT_DATA_DIR\]/)
    expect(options).toMatch(/--shard NAME +Only this shard[^[]*\(repeatable\)/)
    expect(options).toMatch(/--input SHARD=PATH +Load SHARD[^[]*\(repeatable\)/)
    // Nothing of @effect/cli's generic help.
    expect(run.stdout).not.toContain("A user-defined piece of text")
    expect(run.stdout).not.toContain("--wizard")
    expect(run.stdout).not.toContain("--log-level")
    expect(run.stdout).not.toContain("This setting is optional")
    expect(run.stdout).not.toContain("\u001b")
  })

  it("list shows its --limit default and its argument", async () => {
    const run = await runCli(["list", "--help"])
    expect(run.stdout).toContain("Usage: distributed-insert list [OPTIONS] MODEL\n")
    expect(run.stdout).toMatch(/--limit N +At most N rows \[default: 50\]/)
    expect(run.stdout).toMatch(/MODEL +Model or shard name/)
  })

  it("the program's help lists the commands in lines that fit 100 columns, with the environment and the exit codes", async () => {
    const run = await runCli(["--help"])
    expect(run.code).toBe(0)
    for (const line of run.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100)
    for (const { help } of commands) expect(run.stdout).toMatch(new RegExp(`^  ${help.name} +\\S`, "m"))
    expect(run.stdout).toContain("DISTRIBUTED_INSERT_DATA_DIR")
    expect(run.stdout).toMatch(/^ {2}130 +Interrupted/m)
    // No arguments at all: the same help.
    expect((await runCli([])).stdout).toBe(run.stdout)
  })

  it("-h works as --help, after any options, and only before `--`", () => {
    const helps = commands.map((entry) => entry.help)
    expect(helpRequest(["populate", "--json", "-h"], helps)).toMatchObject({ _tag: "CommandHelp", command: { name: "populate" } })
    expect(helpRequest(["get", "User", "--", "-h"], helps)).toEqual({ _tag: "None" })
    expect(helpRequest(["--version"], helps)).toEqual({ _tag: "Version" })
  })

  it("wraps to a narrow terminal", () => {
    const populate = commands[0].help
    for (const line of renderCommandHelp(populate, 60).split("\n").filter((text) => !text.startsWith("  distributed-insert "))) {
      expect(line.length).toBeLessThanOrEqual(60)
    }
    expect(usageLine(commands[1].help)).toBe("distributed-insert generate --count N --out DIR [OPTIONS]")
  })

  it("--version prints the name and version, without a blank line after it", async () => {
    const run = await runCli(["--version"])
    expect(run.stdout).toMatch(/^distributed-insert \d+\.\d+\.\d+\n$/)
  })
})
