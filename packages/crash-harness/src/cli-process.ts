import { type ChildProcess, spawn } from "node:child_process"

export interface CliRun {
  readonly code: number
  readonly stderr: string
}

/** How the CLI is started: `tmpDir` is its TMPDIR, where it makes each run's temp folder. */
export interface CliEnvironment {
  readonly tmpDir?: string
}

/**
 * The CLI resolves the paths it is given against INIT_CWD when set, which pnpm sets to where
 * `pnpm crash` was typed; cleared, they resolve against the harness's working directory, as
 * for a user typing the command. A killed CLI cannot remove its run's temp folder: given a
 * `tmpDir` inside the harness's scratch directory, those folders go where the harness cleans up.
 */
const cliEnvironment = ({ tmpDir }: CliEnvironment): NodeJS.ProcessEnv => ({
  ...process.env,
  INIT_CWD: "",
  ...(tmpDir === undefined ? {} : { TMPDIR: tmpDir })
})

/** Starts `node <cliMain> <args>` as a separate process, its output ignored: to be killed. */
export const spawnCli = (cliMain: string, args: ReadonlyArray<string>, environment: CliEnvironment = {}): ChildProcess =>
  spawn(process.execPath, [cliMain, ...args], { env: cliEnvironment(environment), stdio: "ignore" })

/** Runs `node <cliMain> <args>` to its end; only stderr is kept, to say why it failed. */
export const runCli = (cliMain: string, args: ReadonlyArray<string>, environment: CliEnvironment = {}): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env: cliEnvironment(environment), stdio: ["ignore", "ignore", "pipe"] })
    const stderr: Array<Buffer> = []
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code: code ?? -1, stderr: Buffer.concat(stderr).toString("utf8") }))
  })
