import { mkdir, rm, stat } from "node:fs/promises"
import { join } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import type { Contestant, ContestantId, StoredRows } from "./contestants/contestant.ts"
import { describeError } from "./describe-error.ts"
import type { ProcessMeter } from "./measure/process-meter.ts"
import { databaseFileOf } from "./shard-inputs.ts"

/** One run of one contestant, measured. */
export interface RunSample {
  readonly wallSeconds: number
  readonly peakRssBytes: number
  /** Total size of the shard files it wrote. */
  readonly databaseBytes: number
  readonly rowsByShard: ReadonlyMap<string, number>
  /** What its (last) process printed on stdout. */
  readonly stdout: string
}

export interface ContestantOutcome {
  readonly contestant: Contestant
  readonly samples: ReadonlyArray<RunSample>
  /** Why it stopped before its last repetition; null when every run succeeded. */
  readonly failure: string | null
}

export interface RunPlan {
  readonly contestants: ReadonlyArray<Contestant>
  readonly repetitions: number
  readonly shards: ReadonlyArray<Shard>
  readonly meter: ProcessMeter
  /** Each run gets a fresh directory under it, deleted once measured. */
  readonly runsDir: string
  readonly countRows: (dataDir: string) => ReadonlyMap<string, number>
  readonly progress: (line: string) => void
}

/**
 * Runs every contestant `repetitions` times, interleaved (one run of each per round, starting
 * with a different one each round) so that a noisy stretch of the machine is shared out rather
 * than landing on one contestant. A contestant that fails is not run again; the others go on.
 */
export const runContestants = async (plan: RunPlan): Promise<ReadonlyArray<ContestantOutcome>> => {
  const samples = new Map<ContestantId, Array<RunSample>>(plan.contestants.map((contestant) => [contestant.id, []]))
  const failures = new Map<ContestantId, string>()
  for (let round = 0; round < plan.repetitions; round++) {
    const start = round % plan.contestants.length
    const order = [...plan.contestants.slice(start), ...plan.contestants.slice(0, start)]
    for (const contestant of order) {
      if (failures.has(contestant.id)) continue
      const dataDir = join(plan.runsDir, `${contestant.id}-${round + 1}`)
      try {
        const sample = await runOnce(contestant, dataDir, plan)
        samples.get(contestant.id)?.push(sample)
        plan.progress(`round ${round + 1}/${plan.repetitions}  ${contestant.label}: ${describeSample(sample)}`)
      } catch (error) {
        const reason = describeError(error)
        failures.set(contestant.id, reason)
        plan.progress(`round ${round + 1}/${plan.repetitions}  ${contestant.label}: FAILED\n${reason}`)
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    }
  }
  return plan.contestants.map((contestant) => ({
    contestant,
    samples: samples.get(contestant.id) ?? [],
    failure: failures.get(contestant.id) ?? null
  }))
}

const runOnce = async (contestant: Contestant, dataDir: string, plan: RunPlan): Promise<RunSample> => {
  await mkdir(dataDir, { recursive: true })
  const { destination } = contestant
  if (destination === undefined) return runProcesses(contestant, dataDir, plan, () => storedInFiles(dataDir, plan))
  try {
    await destination.prepare(dataDir)
    return await runProcesses(contestant, dataDir, plan, () => destination.inspect(dataDir))
  } finally {
    await destination.release(dataDir)
  }
}

const storedInFiles = async (dataDir: string, plan: RunPlan): Promise<StoredRows> => {
  let databaseBytes = 0
  for (const shard of plan.shards) databaseBytes += (await stat(databaseFileOf(dataDir, shard))).size
  return { databaseBytes, rowsByShard: plan.countRows(dataDir) }
}

const runProcesses = async (contestant: Contestant, dataDir: string, plan: RunPlan, inspect: () => Promise<StoredRows>): Promise<RunSample> => {
  let wallSeconds = 0
  let peakRssBytes = 0
  let stdout = ""
  const commands = contestant.commands(dataDir)
  for (const [index, command] of commands.entries()) {
    const measured = await plan.meter.measure(command)
    if (measured.exitCode !== 0) {
      const which = commands.length === 1 ? "" : ` (process ${index + 1} of ${commands.length})`
      const output = [measured.stderr.trim(), measured.stdout.trim()].filter((text) => text.length > 0).join("\n")
      throw new Error(`exited with code ${measured.exitCode}${which}; its output ends with:\n${output}`)
    }
    wallSeconds += measured.wallSeconds
    peakRssBytes = Math.max(peakRssBytes, measured.peakRssBytes)
    stdout = measured.stdout
  }
  return { wallSeconds, peakRssBytes, ...(await inspect()), stdout }
}

const describeSample = (sample: RunSample): string =>
  `${sample.wallSeconds.toFixed(2)} s, peak RSS ${(sample.peakRssBytes / 1e6).toFixed(0)} MB, databases ${(sample.databaseBytes / 1e6).toFixed(1)} MB`
