import { randomBytes } from "node:crypto"
import { type FileHandle, open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { makeDirectory } from "@distributed-insert/files"
import type { Shard } from "@distributed-insert/shard"
import { Effect } from "effect"
import { type GeneratedCounts, type GenerateOptions, generateNdjson, type NdjsonChunks } from "./generate.ts"
import { GeneratedFileError, type GeneratorsMissingError } from "./generate-errors.ts"

/**
 * Generates `shard`'s synthetic records (see `generateNdjson`) into the NDJSON file at `path`,
 * creating its directory if needed, and returns the counts.
 *
 * Memory stays flat whatever the count: one chunk of about a megabyte is made, written, then
 * the next, and the next is made only once the previous write has completed, so a slow disk
 * holds the generation back. The records go to a temp file beside `path`, renamed over it at
 * the end: a failed or interrupted run leaves the previous file (or none), never a truncated one.
 */
export const writeGeneratedShard = (
  shard: Shard,
  path: string,
  options: GenerateOptions
): Effect.Effect<GeneratedCounts, GeneratorsMissingError | GeneratedFileError> =>
  Effect.gen(function* () {
    const chunks = yield* Effect.fromResult(generateNdjson(shard, options))
    const attempt = <A>(doing: string, run: () => Promise<A>) =>
      Effect.tryPromise({
        try: run,
        catch: (cause) =>
          new GeneratedFileError({ shard: shard.name, path, reason: `${doing}: ${cause instanceof Error ? cause.message : String(cause)}`, cause })
      })
    yield* attempt("creating its directory", () => makeDirectory(dirname(path)))
    // Unique per write, so two runs never share a temp file; the dot hides it from `ls`.
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`)
    return yield* Effect.acquireUseRelease(
      attempt("creating a temp file", () => open(temp, "wx", 0o644)),
      (file) =>
        writeChunks(file, chunks, attempt).pipe(
          Effect.tap(() => attempt("closing it", () => file.close())),
          Effect.tap(() => attempt("renaming the temp file over it", () => rename(temp, path)))
        ),
      // Closing again is a no-op once `use` has closed it; after an interruption it waits for
      // the write in flight, so the temp file is removed only once nothing writes to it.
      (file) => Effect.promise(() => file.close())
    ).pipe(Effect.onError(() => Effect.promise(() => rm(temp, { force: true }))))
  })

const writeChunks = (
  file: FileHandle,
  chunks: NdjsonChunks,
  attempt: (doing: string, run: () => Promise<void>) => Effect.Effect<void, GeneratedFileError>
): Effect.Effect<GeneratedCounts, GeneratedFileError> =>
  Effect.gen(function* () {
    let next = chunks.next()
    while (next.done !== true) {
      const bytes = next.value
      yield* attempt("writing", () => writeAll(file, bytes))
      next = chunks.next()
    }
    return next.value
  })

/** `write` may write less than asked; loop until every byte is written. */
const writeAll = async (file: FileHandle, bytes: Uint8Array): Promise<void> => {
  for (let offset = 0; offset < bytes.length; ) offset += (await file.write(bytes, offset)).bytesWritten
}
