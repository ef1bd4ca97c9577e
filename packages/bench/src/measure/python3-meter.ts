import { spawnSync } from "node:child_process"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { runChild } from "./child-process.ts"
import type { ProcessMeter } from "./process-meter.ts"

/**
 * Runs the command, then writes "<wall seconds> <peak RSS KiB>" to the file named by argv[1]
 * and exits with the child's code. ru_maxrss of RUSAGE_CHILDREN is in KiB on Linux. Wall time
 * is taken in here so that the interpreter's start-up is not counted.
 */
const WRAPPER = `
import resource, subprocess, sys, time
reading_file, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
code = subprocess.call(command)
wall = time.perf_counter() - started
with open(reading_file, "w") as out:
    out.write(f"{wall} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")
sys.exit(code if code >= 0 else 128 - code)
`

// -I -S: no site packages or user paths; also keeps the interpreter (the children's RSS floor) small.
const PYTHON_FLAGS = ["-I", "-S", "-c"]

export const hasPython3 = (): boolean => spawnSync("python3", [...PYTHON_FLAGS, "import resource, subprocess"]).status === 0

export const python3Meter = (scratchDir: string): ProcessMeter => {
  let runs = 0
  return {
    description:
      "python3 wrapper (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` after the child exits; includes a ~11 MB floor inherited from the interpreter); wall time measured in the wrapper",
    measure: async (command) => {
      const readingFile = join(scratchDir, `rss-${++runs}.txt`)
      const result = await runChild({ file: "python3", args: [...PYTHON_FLAGS, WRAPPER, readingFile, command.file, ...command.args] })
      // No reading means the wrapper itself failed (say, the command could not be started).
      const reading = await readFile(readingFile, "utf8").catch((error: unknown) => {
        throw new Error(`the python3 meter failed (exit ${result.exitCode}) running ${command.file}: ${result.stderr.trim()}`, { cause: error })
      })
      const [wall, kibibytes] = reading.trim().split(" ").map(Number)
      if (wall === undefined || kibibytes === undefined || !Number.isFinite(wall) || !Number.isInteger(kibibytes)) {
        throw new Error(`the python3 meter wrote an unreadable reading for ${command.file}: "${reading.trim()}"`)
      }
      return { ...result, wallSeconds: wall, peakRssBytes: kibibytes * 1024 }
    }
  }
}
