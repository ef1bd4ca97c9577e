import { runChild } from "../measure/child-process.ts"
import type { ShardInputFile } from "../shard-inputs.ts"
import { inputArguments } from "../shard-inputs.ts"
import type { Contestant } from "./contestant.ts"

/** What `populate` must accept for the benchmark to drive it. */
const NEEDED_OPTIONS = ["--input", "--quiet", "--workers"] as const

/**
 * Why the built CLI's `populate` cannot be driven by the benchmark (its `--help` fails, or does
 * not mention every option of NEEDED_OPTIONS), or null when it can: so that a CLI without them
 * is reported up front, not by a usage error in the middle of the timings.
 */
export const populateUnavailability = async (cliBundle: string): Promise<string | null> => {
  const help = await runChild({ file: process.execPath, args: [cliBundle, "populate", "--help"] })
  if (help.exitCode !== 0) return `\`populate --help\` exited with code ${help.exitCode}\n${help.stderr.trim()}`
  const missing = NEEDED_OPTIONS.filter((option) => !new RegExp(`${option}(?![\\w-])`).test(help.stdout))
  return missing.length === 0
    ? null
    : `the built CLI's \`populate\` has no ${missing.join(", ")} option yet, so it cannot load the benchmark's files; once it has (the options are being added), \`pnpm bench\` rebuilds it and measures it`
}

/**
 * `populate` end to end on the benchmark files, quiet, in its default mode and in each
 * `--workers` mode, so that the choice of default rests on numbers.
 */
export const populateContestants = (cliBundle: string, inputs: ReadonlyArray<ShardInputFile>): ReadonlyArray<Contestant> => {
  const populate = (extraArguments: ReadonlyArray<string>) => (dataDir: string) => [
    {
      file: process.execPath,
      args: [cliBundle, "populate", ...inputArguments(inputs), "--data-dir", dataDir, "--quiet", ...extraArguments]
    }
  ]
  return [
    { id: "populate", label: "populate (default)", commands: populate([]) },
    { id: "populate-workers-on", label: "populate --workers on", commands: populate(["--workers", "on"]) },
    { id: "populate-workers-off", label: "populate --workers off", commands: populate(["--workers", "off"]) }
  ]
}
