import { spawnSync } from "node:child_process"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { runChild } from "./child-process.ts"
import type { ProcessMeter } from "./process-meter.ts"

const GNU_TIME = "/usr/bin/time"

/** True when /usr/bin/time is GNU time (the only one with `-f %M`, the peak RSS in KiB). */
export const hasGnuTime = (): boolean => {
  const probe = spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" })
  return probe.status === 0 && /^\d+$/.test(probe.stderr.trim())
}

/**
 * `/usr/bin/time -f %M -o FILE command`: the reading goes to a file so it never mixes with the
 * child's own stderr. Wall time is taken here around the whole thing (time's own start-up
 * is about a millisecond; its `%e` has only 10 ms resolution).
 */
export const gnuTimeMeter = (scratchDir: string): ProcessMeter => {
  let runs = 0
  return {
    description: "GNU time (`/usr/bin/time -f %M`: ru_maxrss of the child); wall time measured around it with performance.now()",
    measure: async (command) => {
      const readingFile = join(scratchDir, `rss-${++runs}.txt`)
      const started = performance.now()
      const result = await runChild({ file: GNU_TIME, args: ["-f", "%M", "-o", readingFile, command.file, ...command.args] })
      const wallSeconds = (performance.now() - started) / 1000
      // A child failing makes time write "Command exited with non-zero status N" first.
      const reading = await readFile(readingFile, "utf8").catch((error: unknown) => {
        throw new Error(`GNU time failed (exit ${result.exitCode}) running ${command.file}: ${result.stderr.trim()}`, { cause: error })
      })
      const lines = reading.trim().split("\n")
      const kibibytes = Number(lines.at(-1))
      if (!Number.isInteger(kibibytes)) throw new Error(`GNU time wrote no peak RSS for ${command.file}: ${lines.join(" / ")}`)
      return { ...result, wallSeconds, peakRssBytes: kibibytes * 1024 }
    }
  }
}
