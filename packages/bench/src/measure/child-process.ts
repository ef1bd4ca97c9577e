import { spawn } from "node:child_process"
import { constants } from "node:os"
import type { Command } from "./command.ts"

/** How a process ended and the end of what it printed (enough to explain a failure). */
export interface ChildResult {
  /** The exit code; 128 + the signal number when a signal ended it, as shells report it. */
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

const KEPT_OUTPUT_BYTES = 64 * 1024

/**
 * Runs `command` to its end with stdout and stderr piped (the tail of each kept), colours off.
 * Rejects only when the process cannot be started at all (e.g. the executable is missing).
 */
export const runChild = (command: Command): Promise<ChildResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, {
      cwd: command.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" }
    })
    const stdout = outputTail()
    const stderr = outputTail()
    child.stdout.on("data", (chunk: Buffer) => stdout.append(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.append(chunk))
    child.on("error", reject)
    child.on("close", (code, signal) => {
      const exitCode = code ?? 128 + (signal === null ? 0 : constants.signals[signal])
      resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text() })
    })
  })

/** Keeps the last `KEPT_OUTPUT_BYTES` of a stream: a chatty child cannot fill the memory. */
const outputTail = () => {
  let chunks: Array<Buffer> = []
  let bytes = 0
  return {
    append: (chunk: Buffer): void => {
      chunks.push(chunk)
      bytes += chunk.length
      if (bytes > 2 * KEPT_OUTPUT_BYTES) {
        const kept = Buffer.concat(chunks).subarray(-KEPT_OUTPUT_BYTES)
        chunks = [kept]
        bytes = kept.length
      }
    },
    text: (): string => Buffer.concat(chunks).subarray(-KEPT_OUTPUT_BYTES).toString("utf8")
  }
}
