import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { RecordResult, RunReport, ShardReport } from "@distributed-insert/pipeline"

/** The built CLI; its test script bundles it before vitest runs. */
export const cliPath = fileURLToPath(new URL("../dist/main.js", import.meta.url))

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the CLI as a user would, as a separate process. INIT_CWD is cleared so relative paths
 * resolve against the test's working directory, not the package manager's.
 */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly stdin?: string; readonly nodeOptions?: ReadonlyArray<string> } = {}
): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeOptions ?? []), cliPath, ...args], {
      env: { ...process.env, INIT_CWD: "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", reject)
    child.on("close", (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") })
    )
    child.stdin.end(options.stdin ?? "")
  })

/** What `populate --json` prints: the run report, each shard with every rejected record (see render/json-report.ts). */
export type JsonReport = Omit<RunReport, "shards"> & {
  readonly shards: ReadonlyArray<Omit<ShardReport, "firstRejected"> & { readonly rejected: ReadonlyArray<LoggedResult> }>
}

/** A result as the result logs write it: with its shard. */
export type LoggedResult = RecordResult & { readonly shard: string }

export const parseJsonReport = (stdout: string): JsonReport => JSON.parse(stdout)

/** The primary key `id` of a record's data, when it has one. */
export const idOf = (result: RecordResult): unknown =>
  typeof result.data === "object" && result.data !== null ? Reflect.get(result.data, "id") : undefined
