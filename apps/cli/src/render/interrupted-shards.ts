import type { Counts, ShardProgress } from "@distributed-insert/pipeline"

const count = (n: number) => n.toLocaleString("en-US")

/** What the records became: inserted always, the other outcomes where there are any. */
const outcomes = (counts: Counts): string =>
  [
    `${count(counts.inserted)} inserted`,
    ...(["replaced", "skipped", "invalid", "failed"] as const).filter((outcome) => counts[outcome] > 0).map((outcome) => `${count(counts[outcome])} ${outcome}`)
  ].join(", ")

const durablePart = ({ through, counts }: ShardProgress["durable"]): string =>
  through === 0 ? "no record of this run is durable" : `records 1-${count(through)} of its input are durable (${outcomes(counts)})`

const stateOf = (progress: ShardProgress | undefined): string => {
  if (progress === undefined) return "not started: nothing of it was loaded"
  switch (progress.phase) {
    case "done":
      return `done: ${count(progress.counts.processed)} records (${outcomes(progress.counts)})`
    case "failed":
      return `failed: ${durablePart(progress.durable)}`
    case "loading":
    case "writing":
      return `stopped: ${durablePart(progress.durable)}`
  }
}

/**
 * What an interrupted `populate` says of each shard, since it prints no report: what of this
 * run its database durably holds, as the last write (a checkpoint, or a commit) left it, which
 * is also what the `--report` file's markers say. Then how to complete the load.
 */
export const interruptedShards = (shards: ReadonlyArray<string>, latest: ReadonlyMap<string, ShardProgress>): ReadonlyArray<string> => {
  const width = Math.max(0, ...shards.map((shard) => shard.length))
  const lines = shards.map((shard) => `  ${shard.padEnd(width)}  ${stateOf(latest.get(shard))}`)
  const unfinished = shards.some((shard) => latest.get(shard)?.phase !== "done")
  return unfinished ? [...lines, "  The same command with --on-conflict skip completes the load."] : lines
}
