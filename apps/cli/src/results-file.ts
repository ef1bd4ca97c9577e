import { createReadStream, createWriteStream } from "node:fs"
import { rename, rm } from "node:fs/promises"
import { createInterface } from "node:readline"
import { pipeline } from "node:stream/promises"
import { notPersistedResult, type RecordResult, ReportError, type ShardReport } from "@distributed-insert/core"
import { Effect } from "effect"

/**
 * Assembles `--report FILE` from the shards' part files, in registration order, atomically
 * (temp file, then rename). A shard that failed did not persist anything, so its `inserted`
 * lines are rewritten as `failed` (`not-persisted`), and the file says exactly what landed.
 */
export const writeResultsFile = (target: string, parts: ReadonlyArray<{ readonly report: ShardReport; readonly path: string }>) =>
  Effect.tryPromise({
    try: async () => {
      const temp = `${target}.${process.pid}.tmp`
      const out = createWriteStream(temp, { mode: 0o644 })
      try {
        for (const { report, path } of parts) {
          if (report.error === null) await pipeline(createReadStream(path), out, { end: false })
          else await rewriteFailed(path, report.error.message, out)
        }
        await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
        await rename(temp, target)
      } catch (error) {
        out.destroy()
        await rm(temp, { force: true })
        throw error
      }
    },
    catch: (cause) => new ReportError({ path: target, reason: cause instanceof Error ? cause.message : String(cause) })
  })

const rewriteFailed = async (path: string, reason: string, out: NodeJS.WritableStream) => {
  for await (const line of createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === "") continue
    const { shard, ...result }: { shard: string } & RecordResult = JSON.parse(line)
    const written = out.write(`${JSON.stringify({ shard, ...notPersistedResult(result, reason) })}\n`)
    if (!written) await new Promise((resolve) => out.once("drain", resolve))
  }
}
