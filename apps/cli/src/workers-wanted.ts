import { stat } from "node:fs/promises"
import { STDIN_PATH } from "@distributed-insert/input"
import type { InputFile } from "@distributed-insert/pipeline"
import type { Shard } from "@distributed-insert/shard"
import { Effect } from "effect"

/** `populate --workers`: `on` and `off` say it; `auto` measures the inputs. */
export type WorkersMode = "auto" | "on" | "off"

/**
 * Below this much input, worker threads cost about what they save (start-up, a runtime and a
 * heap per thread: 3 × 300k records, 56 MB, ran as fast in fibers) and take more memory; at
 * 3 × 1M records, 190 MB, they were 1.3-1.5× faster. See packages/bench/results.
 */
export const WORKERS_FROM_BYTES = 100 * 1024 * 1024

/**
 * Which shards the user wants in worker threads (`populate`'s `workers.wanted`; the pipeline
 * keeps in this thread those that cannot go). Worker threads pay off only on large inputs:
 * `auto` wants them for every shard when at least two files add up to WORKERS_FROM_BYTES.
 */
export const workersWanted = (mode: WorkersMode, inputs: ReadonlyArray<InputFile>): Effect.Effect<(shard: Shard) => boolean> =>
  Effect.gen(function* () {
    const wanted = mode === "auto" ? yield* inputsAreLarge(inputs) : mode === "on"
    return () => wanted
  })

const inputsAreLarge = (inputs: ReadonlyArray<InputFile>) =>
  Effect.gen(function* () {
    const files = inputs.filter((input) => input.path !== STDIN_PATH)
    if (files.length < 2) return false
    // A file that cannot be measured counts for nothing here: its shard reports why it cannot be read.
    const sizes = yield* Effect.forEach(files, (file) => Effect.promise(() => stat(file.path).then((stats) => stats.size, () => 0)))
    return sizes.reduce((sum, size) => sum + size, 0) >= WORKERS_FROM_BYTES
  })
