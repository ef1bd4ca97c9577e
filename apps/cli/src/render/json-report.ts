import { createReadStream, existsSync } from "node:fs"
import { ReportError, type RunReport } from "@distributed-insert/pipeline"
import { Effect, Stream } from "effect"
import { redactSecrets } from "../config/redact.ts"
import { writeOut } from "../write-out.ts"
import { jsonLocation } from "./location.ts"

/**
 * Streams the `--json` report to stdout: the summary, then each shard with every rejected
 * record. The rejected records come from the run's spool files (one JSON object per line),
 * so a run with hundreds of thousands of them never holds them all in memory.
 */
export const writeJsonReport = (report: RunReport, rejectedLog: (shard: string) => string | undefined) =>
  Effect.gen(function* () {
    const { shards, ...head } = report
    yield* writeOut(`${JSON.stringify(head).slice(0, -1)},"shards":[`)
    for (const [index, shard] of shards.entries()) {
      const { firstRejected: _quickLook, ...fields } = shard
      // The location and the error as every output shows them: without a password.
      const rest = {
        ...fields,
        location: jsonLocation(fields.location),
        error: fields.error === null ? null : { ...fields.error, message: redactSecrets(fields.error.message) }
      }
      // `rejected` goes last so its elements can be streamed in before the closing brackets.
      yield* writeOut(`${index === 0 ? "" : ","}${JSON.stringify(rest).slice(0, -1)},"rejected":[`)
      // A shard that failed before loading never opened its log: it rejected nothing.
      const log = rejectedLog(shard.shard)
      if (log !== undefined && existsSync(log)) yield* streamAsJsonElements(log)
      yield* writeOut("]}")
    }
    yield* writeOut("]}\n")
  })

/** Copies an NDJSON file as comma-separated JSON values: every newline but the last becomes a comma. */
const streamAsJsonElements = (path: string) =>
  Effect.gen(function* () {
    let held = ""
    yield* Stream.fromAsyncIterable(
      createReadStream(path, { encoding: "utf8" }),
      (cause) => new ReportError({ path, reason: cause instanceof Error ? cause.message : String(cause) })
    ).pipe(
      Stream.runForEach((chunk) => {
        const text = held + String(chunk).replaceAll("\n", ",")
        held = text.slice(-1)
        return writeOut(text.slice(0, -1))
      })
    )
    if (held !== "," && held !== "") yield* writeOut(held)
  })
