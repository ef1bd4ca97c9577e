import { tmpdir } from "node:os"
import { join } from "node:path"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer } from "effect"
import { CliConfig, CliOutput, Command, type HelpDoc } from "effect/cli"
import { describe, expect, it } from "vitest"
import { commands, root } from "./cli.ts"
import { BUILT_IN_FLAGS, PROGRAM, renderCommandHelp, usageLine } from "./help.ts"
import { runCli } from "./testing.ts"

/**
 * What effect/cli presents for `args`, run through the real command tree with a presenter that
 * keeps the events instead of printing them: a help event carries effect/cli's own description
 * of what the command parses (its `HelpDoc`).
 */
const presented = (args: ReadonlyArray<string>): Promise<ReadonlyArray<CliOutput.Presenter.Event>> => {
  const events: Array<CliOutput.Presenter.Event> = []
  const keep = CliOutput.layerPresenter({ present: (event) => Effect.sync(() => void events.push(event)) })
  return Effect.runPromise(
    Command.runWith(root, { version: "0.0.0-test" })(args).pipe(
      Effect.provide(Layer.mergeAll(CliConfig.layer({ builtIns: BUILT_IN_FLAGS }), keep, NodeServices.layer)),
      // A help request ends in ShowHelp, which is how effect/cli says that help was shown.
      Effect.exit,
      Effect.as(events)
    )
  )
}

/** effect/cli's help document of a command: the flags and arguments it parses. */
const parsedBy = async (name: string): Promise<HelpDoc.HelpDoc> => {
  const [event] = await presented([name, "--help"])
  if (event?._tag !== "Help") throw new Error(`${name} --help presented ${event?._tag ?? "nothing"}`)
  return event.helpDoc
}

const declaredOptions = (help: (typeof commands)[number]["help"]): Array<string> =>
  help.options.map((option) => /--[a-z-]+/.exec(option.flag)?.[0] ?? option.flag)

describe("--help", () => {
  it.each(commands.map((entry) => [entry.help.name, entry] as const))("%s declares exactly the options and arguments it parses", async (name, entry) => {
    const doc = await parsedBy(name)
    expect(declaredOptions(entry.help).sort()).toEqual(doc.flags.map((flag) => `--${flag.name}`).sort())
    // Required in the usage line exactly when effect/cli requires it: neither a switch nor
    // optional nor with a default. Its help document also calls a repeatable flag required,
    // however few times it may be given (`--shard` any number of times): those are left out.
    const repeatable = new Set(declaredOptions({ ...entry.help, options: entry.help.options.filter((option) => option.repeatable === true) }))
    const required = entry.help.options.filter((option) => option.required === true)
    expect(declaredOptions({ ...entry.help, options: required }).sort()).toEqual(
      doc.flags.filter((flag) => flag.required && !repeatable.has(`--${flag.name}`)).map((flag) => `--${flag.name}`).sort()
    )
    expect((entry.help.args ?? []).map((arg) => arg.name)).toEqual((doc.args ?? []).map((arg) => arg.name))
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
    expect(options).toMatch(/\[default: the config file's dataDir, else \.\/data\] \[env: DISTRIBUTED_INSERT_DATA_DIR\]/)
    expect(options).toMatch(/--shard NAME +Only this shard[^[]*\(repeatable\)/)
    expect(options).toMatch(/--input SHARD=PATH +Load SHARD[^[]*\(repeatable\)/)
    // Nothing of effect/cli's generic help (nor of @effect/cli's, which this CLI used before).
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

  it("-h works as --help, after any options and arguments, and only before `--`", async () => {
    expect(await presented(["populate", "--json", "-h"])).toMatchObject([{ _tag: "Help", commandPath: [PROGRAM, "populate"] }])
    expect(await presented(["list", "User", "-h"])).toMatchObject([{ _tag: "Help", commandPath: [PROGRAM, "list"] }])
    expect(await presented(["-V"])).toMatchObject([{ _tag: "Version", name: PROGRAM }])
    // After `--`, -h is the record's id: get looks for User "-h" (in a data directory that does not exist).
    const run = await runCli(["get", "User", "--data-dir", join(tmpdir(), "distributed-insert-no-such-dir"), "--", "-h"])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain("User -h not found")
  })

  it("a usage error is the error and a pointer to the command's help on stderr, not the whole help", async () => {
    const run = await runCli(["populate", "--workers", "maybe"])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toBe("error: --workers takes one of auto, on, off, not 'maybe'\nSee 'distributed-insert populate --help'.\n")
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
