import { spawnSync } from "node:child_process"
import { readFile } from "node:fs/promises"
import { availableParallelism, cpus, loadavg, release, totalmem, type } from "node:os"

/** What a reader needs to compare these numbers with theirs. */
export interface MachineFacts {
  readonly date: string
  /** CPUs this process may use, as `nproc` counts them. */
  readonly nproc: number
  readonly cpuModel: string
  readonly memoryBytes: number
  readonly os: string
  readonly node: string
  /** 1, 5 and 15 minute load averages when the benchmark started: the machine is shared. */
  readonly loadAverage: ReadonlyArray<number>
  readonly commit: string
}

export const machineFacts = async (repositoryRoot: string): Promise<MachineFacts> => ({
  date: new Date().toISOString(),
  nproc: availableParallelism(),
  cpuModel: cpus()[0]?.model.trim() ?? "unknown",
  memoryBytes: totalmem(),
  os: `${type()} ${release()}${await distribution().then((name) => (name === null ? "" : ` (${name})`))}`,
  node: process.version,
  loadAverage: loadavg(),
  commit: commitOf(repositoryRoot)
})

/** PRETTY_NAME from /etc/os-release, or null on a system without one. */
const distribution = async (): Promise<string | null> => {
  const text = await readFile("/etc/os-release", "utf8").catch((error: unknown) => {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return ""
    throw error
  })
  const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)
  return match?.[1] ?? null
}

/** The commit measured, and whether the working tree differed from it. */
const commitOf = (repositoryRoot: string): string => {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repositoryRoot, encoding: "utf8" })
  if (head.status !== 0) return "unknown (not a git checkout, or no git)"
  const status = spawnSync("git", ["status", "--porcelain"], { cwd: repositoryRoot, encoding: "utf8" })
  return `${head.stdout.trim()}${status.stdout.trim().length > 0 ? " with uncommitted changes" : ""}`
}
