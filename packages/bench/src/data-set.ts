import { access } from "node:fs/promises"
import { resolve } from "node:path"
import type { Shard } from "@distributed-insert/shard"
import { runChild } from "./measure/child-process.ts"
import type { Command } from "./measure/command.ts"
import { inputFilesIn, type ShardInputFile } from "./shard-inputs.ts"

export interface DataSet {
  readonly inputs: ReadonlyArray<ShardInputFile>
  /** The command that generated the files, or null when they were given with `--data`. */
  readonly generatedBy: Command | null
}

export const INVALID_RATIO = 0.1
export const SEED = 1

/** `users, products and orders`: the shards' names, for the messages. */
export const shardNames = (shards: ReadonlyArray<Shard>): string => {
  const names = shards.map((shard) => shard.name)
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`
}

/**
 * The CLI's `generate`, writing a `<shard>.ndjson` file with ~10% invalid records for each of
 * `shards`, reproducibly: only those, whatever other shards the CLI registers.
 */
export const generateCommand = (cliBundle: string, shards: ReadonlyArray<Shard>, recordsPerShard: number, outDir: string): Command => ({
  file: process.execPath,
  args: [
    cliBundle,
    "generate",
    "--count",
    String(recordsPerShard),
    "--invalid-ratio",
    String(INVALID_RATIO),
    "--seed",
    String(SEED),
    "--out",
    outDir,
    ...shards.flatMap((shard) => ["--shard", shard.name])
  ]
})

/** Generates the data set with the CLI, or takes the one in `givenDir`; checks every file is there. */
export const prepareDataSet = async (
  shards: ReadonlyArray<Shard>,
  givenDir: string | null,
  generate: Command,
  generatedDir: string
): Promise<DataSet> => {
  if (givenDir === null) {
    const generated = await runChild(generate)
    if (generated.exitCode !== 0) {
      throw new Error(
        `the CLI's \`generate\` failed (exit ${generated.exitCode}): ${[generated.stderr.trim(), generated.stdout.trim()].join(" ").trim()}\n` +
          `To use files you already have instead, pass --data DIR with ${shards.map((shard) => `DIR/${shard.name}.ndjson`).join(", ")}.`
      )
    }
  }
  const inputs = inputFilesIn(givenDir === null ? generatedDir : resolve(givenDir), shards)
  for (const input of inputs) {
    await access(input.path).catch((error: unknown) => {
      throw new Error(`missing input for shard ${input.shard.name}: ${input.path}`, { cause: error })
    })
  }
  return { inputs, generatedBy: givenDir === null ? generate : null }
}
