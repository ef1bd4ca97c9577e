import { fstatSync } from "node:fs"
import { stat } from "node:fs/promises"
import type { Readable } from "node:stream"
import { Effect } from "effect"
import { readCsv } from "./csv.ts"
import { type FileStream, openFileStream } from "./file-stream.ts"
import { formatOfPath, type InputFormat } from "./format.ts"
import { InputError } from "./input-error.ts"
import { readJsonArray } from "./json-array.ts"
import { readNdjson } from "./ndjson.ts"
import type { ShardInput, SourceItem } from "./record-source.ts"

/** The path that stands for standard input. */
export const STDIN_PATH = "-"

type Reader = (input: Readable) => AsyncIterable<ReadonlyArray<SourceItem>>

const readers: Readonly<Record<InputFormat, Reader>> = { ndjson: readNdjson, json: readJsonArray, csv: readCsv }

/**
 * A shard's input from a file, or from `stdin` when `path` is `-`, read as it streams.
 *
 * The format is `format` when given, else the file's extension (`.ndjson`, `.jsonl`, `.json`,
 * `.csv`); stdin without a format is NDJSON. Fails up front with an `InputError` for an unknown
 * extension, a file that does not exist or is a directory, or a stdin that is a directory. The file is opened when reading
 * starts (each iteration of `source` reads it anew); an error while reading is thrown from the
 * iteration as an `InputError` naming the file.
 *
 * `progress` counts bytes read of the file's size (`total` is null for stdin and pipes).
 * `stdin` replaces the process's standard input (for tests, or a worker handed a stream).
 */
export const openInput = (
  path: string,
  format?: InputFormat,
  stdin?: Readable
): Effect.Effect<ShardInput, InputError> =>
  Effect.gen(function* () {
    const chosen = format ?? (path === STDIN_PATH ? "ndjson" : yield* Effect.fromResult(formatOfPath(path)))
    const read = readers[chosen]
    const textValues = chosen === "csv"
    if (path === STDIN_PATH) {
      const origin = "stdin"
      if (stdin === undefined) yield* checkStdinReadable
      const input = stdin ?? process.stdin
      return {
        source: failingAsInputError(origin, read(input)),
        origin,
        textValues,
        progress: () => ({ done: bytesRead(input), total: null })
      }
    }
    const size = yield* sizeOf(path)
    let reading: FileStream | null = null
    const source: AsyncIterable<ReadonlyArray<SourceItem>> = {
      [Symbol.asyncIterator]: () => {
        // Opened so that a FIFO with no writer yet can be waited for and still interrupted.
        const file = openFileStream(path)
        reading = file
        return failingAsInputError(path, read(file.stream))[Symbol.asyncIterator]()
      }
    }
    return { source, origin: path, textValues, progress: () => ({ done: reading?.bytesRead() ?? 0, total: size }) }
  })

/**
 * Fails when the process's stdin cannot be read: Node gives a directory there (`< dir`) as a
 * stream that ends at once, which would read as an input with no records.
 */
const checkStdinReadable: Effect.Effect<void, InputError> = Effect.try({
  try: () => fstatSync(0),
  catch: (error) => new InputError({ origin: "stdin", reason: describe(error), cause: error })
}).pipe(
  Effect.filterOrFail(
    (info) => !info.isDirectory(),
    () => new InputError({ origin: "stdin", reason: "it is a directory, not a file" })
  ),
  Effect.asVoid
)

/** The size of the file at `path`, or null when it is a pipe or device, which can be read but not measured. */
const sizeOf = (path: string): Effect.Effect<number | null, InputError> =>
  Effect.tryPromise({ try: () => stat(path), catch: (error) => new InputError({ origin: path, reason: describe(error), cause: error }) }).pipe(
    Effect.filterOrFail(
      (info) => !info.isDirectory(),
      () => new InputError({ origin: path, reason: "it is a directory, not a file" })
    ),
    Effect.map((info) => (info.isFile() ? info.size : null))
  )

async function* failingAsInputError<A>(origin: string, items: AsyncIterable<A>): AsyncGenerator<A> {
  try {
    yield* items
  } catch (error) {
    throw error instanceof InputError ? error : new InputError({ origin, reason: describe(error), cause: error })
  }
}

/** Bytes taken from `stream` so far, for streams that count them (files, sockets, pipes: what stdin is). */
const bytesRead = (stream: Readable): number => ("bytesRead" in stream && typeof stream.bytesRead === "number" ? stream.bytesRead : 0)

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  switch ("code" in error ? error.code : undefined) {
    case "ENOENT":
      return "no such file"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory, not a file"
    default:
      return error.message
  }
}
