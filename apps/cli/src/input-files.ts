import { resolve } from "node:path"
import { formatOfPath, type InputFormat, parseInputSpec, STDIN_PATH } from "@distributed-insert/input"
import { type InputFile, inputFile, ShardRegistry } from "@distributed-insert/pipeline"
import type { Shard } from "@distributed-insert/shard"
import { Effect } from "effect"
import { invocationDir } from "./common-options.ts"
import { UsageError } from "./errors.ts"

/**
 * The files `populate --input SHARD=PATH` names, by registered shard, as the pipeline takes them
 * (it opens each in the thread that loads its shard); paths are the user's, relative to where
 * they ran the command. A spec, shard or extension that makes no sense is bad usage (exit 2), as
 * is a `--shard` that selects other shards than the inputs.
 */
export const inputFiles = (specs: ReadonlyArray<string>, format: InputFormat | undefined, selection: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const registry = yield* ShardRegistry
    const byShard = new Map<Shard, InputFile>()
    const usage = (reason: string) => new UsageError({ reason })
    for (const text of specs) {
      const spec = yield* Effect.mapError(Effect.fromResult(parseInputSpec(text)), (error) => usage(`--input ${text}: ${error.reason}`))
      const shard = yield* registry.lookup(spec.shard)
      if (byShard.has(shard)) return yield* usage(`--input names shard ${shard.name} twice`)
      if (spec.path !== STDIN_PATH && format === undefined) {
        yield* Effect.mapError(Effect.fromResult(formatOfPath(spec.path)), (error) => usage(`--input ${text}: ${error.reason}`))
      }
      byShard.set(shard, inputFile(spec.path === STDIN_PATH ? STDIN_PATH : resolve(invocationDir(), spec.path), format))
    }
    if ([...byShard.values()].filter((input) => input.path === STDIN_PATH).length > 1) return yield* usage("only one --input can read stdin (-)")
    yield* inputsMatchSelection(byShard, selection)
    return byShard
  })

/**
 * With `--input`, the shards loaded are those the inputs name; a `--shard` that selects
 * another set (`--shard users --input orders=FILE`) is a contradiction, not a filter to ignore.
 */
const inputsMatchSelection = (inputs: ReadonlyMap<Shard, InputFile>, selection: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    if (inputs.size === 0 || selection.length === 0) return
    const registry = yield* ShardRegistry
    const selected = new Set(yield* Effect.forEach(selection, registry.lookup))
    const withoutInput = [...selected].filter((shard) => !inputs.has(shard)).map((shard) => shard.name)
    const notSelected = [...inputs.keys()].filter((shard) => !selected.has(shard)).map((shard) => shard.name)
    if (withoutInput.length > 0 || notSelected.length > 0) {
      return yield* new UsageError({
        reason: `--shard and --input disagree: ${[
          ...withoutInput.map((name) => `--shard ${name} has no --input`),
          ...notSelected.map((name) => `--input ${name}=... is not selected by --shard`)
        ].join("; ")} (with --input, the shards loaded are those named by --input; --shard is not needed)`
      })
    }
  })
