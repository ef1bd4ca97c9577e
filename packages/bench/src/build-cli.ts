import { join } from "node:path"
import { runChild } from "./measure/child-process.ts"
import type { Command } from "./measure/command.ts"

/**
 * Builds the CLI with its own tsup config (as `pnpm --filter @distributed-insert/cli build`
 * does) into `outDir`, from the sources as they are now.
 */
export const buildCli = async (cliPackageDir: string, outDir: string): Promise<Command> => {
  const build: Command = { file: join(cliPackageDir, "node_modules/.bin/tsup"), args: ["--silent", "--out-dir", outDir], cwd: cliPackageDir }
  const built = await runChild(build)
  if (built.exitCode !== 0) {
    throw new Error(`building the CLI failed (exit ${built.exitCode}):\n${[built.stderr.trim(), built.stdout.trim()].join("\n").trim()}`)
  }
  return build
}
