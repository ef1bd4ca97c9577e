import { failedInput, INPUT_FORMATS, type InputFormat, openInput, type ShardInput, STDIN_PATH, sampleInput } from "@distributed-insert/input"
import type { Shard } from "@distributed-insert/shard"
import { Effect, Schema } from "effect"

/** The shard's built-in sample data (`Shard.sample`): what a shard loads when it is given no input. */
export const SampleData = Schema.TaggedStruct("SampleData", {})
export type SampleData = typeof SampleData.Type

/** A file, or standard input when `path` is `-`, in `format` or the one its extension says (see `openInput`). */
export const InputFile = Schema.TaggedStruct("InputFile", { path: Schema.String, format: Schema.optionalKey(Schema.Literals(INPUT_FORMATS)) })
export type InputFile = typeof InputFile.Type

/**
 * Records that are already open in this thread (a test's fixture, a stream): nothing another
 * thread could open again, so such a shard always loads in this one.
 */
export interface OpenedInput {
  readonly _tag: "OpenedInput"
  readonly input: ShardInput
}

/**
 * Where a shard's records come from. A sample or a file is data, opened by whichever thread
 * loads the shard (`openSource`), so that a worker thread reads its file itself.
 */
export type InputSource = SampleData | InputFile | OpenedInput

export const SAMPLE_DATA: SampleData = { _tag: "SampleData" }

export const inputFile = (path: string, format?: InputFormat): InputFile =>
  format === undefined ? { _tag: "InputFile", path } : { _tag: "InputFile", path, format }

export const openedInput = (input: ShardInput): OpenedInput => ({ _tag: "OpenedInput", input })

/** The sources a worker thread is sent in its task (`ShardWorkerTask.input`), and opens itself. */
export const WorkerSource = Schema.Union([SampleData, InputFile])
export type WorkerSource = typeof WorkerSource.Type

/** Whether a worker could open `source`: not records open in this thread, nor standard input, which is this thread's to read. */
export const isWorkerSource = (source: InputSource): source is WorkerSource =>
  source._tag === "SampleData" || (source._tag === "InputFile" && source.path !== STDIN_PATH)

/**
 * The shard's input from its source. Never fails: an input that cannot be opened (a missing
 * file, stdin that is a directory) becomes one that fails when read, so that only its shard
 * reports it, once its database was opened, as a read that fails halfway would.
 */
export const openSource = (shard: Shard, source: InputSource): Effect.Effect<ShardInput> => {
  switch (source._tag) {
    case "SampleData":
      return Effect.succeed(sampleInput(shard))
    case "OpenedInput":
      return Effect.succeed(source.input)
    case "InputFile":
      return openInput(source.path, source.format).pipe(Effect.catch((error) => Effect.succeed(failedInput(error))))
  }
}

/** What a report names as the shard's input (`ShardInput.origin`) without opening it: for a shard whose load never started. */
export const originOf = (shard: Shard, source: InputSource): string =>
  source._tag === "InputFile" ? (source.path === STDIN_PATH ? "stdin" : source.path) : source._tag === "OpenedInput" ? source.input.origin : sampleInput(shard).origin
