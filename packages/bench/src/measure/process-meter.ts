import type { ChildResult } from "./child-process.ts"
import type { Command } from "./command.ts"
import { gnuTimeMeter, hasGnuTime } from "./gnu-time-meter.ts"
import { hasPython3, python3Meter } from "./python3-meter.ts"

/** One whole process, measured: its wall time and the peak resident set size of the process. */
export interface ProcessMeasurement extends ChildResult {
  readonly wallSeconds: number
  readonly peakRssBytes: number
}

/** Runs a process and reads its peak RSS from the kernel's accounting of it (getrusage of the child). */
export interface ProcessMeter {
  /** How the numbers are obtained, for the results file. */
  readonly description: string
  readonly measure: (command: Command) => Promise<ProcessMeasurement>
}

export type MeterChoice = "auto" | "gnu-time" | "python3"

export const meterChoices: ReadonlyArray<MeterChoice> = ["auto", "gnu-time", "python3"]

/**
 * GNU time when installed (`/usr/bin/time`, Debian package `time`): its own few MB are all the
 * child inherits. Otherwise python3, found on a stock Debian: the child starts as a fork of the
 * interpreter, so the kernel counts the interpreter's ~11 MB as a floor under every reading
 * (it matters only for tiny processes such as the sqlite3 shell).
 */
export const chooseProcessMeter = (choice: MeterChoice, scratchDir: string): ProcessMeter => {
  if ((choice === "auto" || choice === "gnu-time") && hasGnuTime()) return gnuTimeMeter(scratchDir)
  if ((choice === "auto" || choice === "python3") && hasPython3()) return python3Meter(scratchDir)
  throw new Error(
    choice === "auto"
      ? "cannot measure peak RSS: neither GNU time (/usr/bin/time; apt-get install time) nor python3 is available"
      : `cannot measure peak RSS with ${choice}: it is not available here`
  )
}
