/**
 * Shared setup for the input readers' tests: text cut into streams of small pieces, readers
 * drained into one list, and temp folders. Not part of the public API (not exported from mod.ts).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Readable } from "node:stream"
import type { RecordSource, SourceItem } from "./record-source.ts"

/** `text` as a byte stream in pieces of `size` bytes, which may cut a line, a string or a UTF-8 character in two. */
export const streamOf = (text: string, size = Number.POSITIVE_INFINITY): Readable => bytesStreamOf(Buffer.from(text, "utf8"), size)

/** `bytes` (any bytes, UTF-8 or not) as a stream in pieces of `size` bytes. */
export const bytesStreamOf = (bytes: Buffer, size = Number.POSITIVE_INFINITY): Readable => {
  const pieces: Array<Buffer> = []
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, Math.min(bytes.length, start + size)))
  return Readable.from(pieces)
}

/** Text in which `latin1` is written in Latin-1 (one byte per character, not UTF-8) and the rest in UTF-8. */
export const withLatin1 = (before: string, latin1: string, after: string): Buffer =>
  Buffer.concat([Buffer.from(before, "utf8"), Buffer.from(latin1, "latin1"), Buffer.from(after, "utf8")])

/**
 * An input that never ends, like `/dev/zero`: `piece` again and again. `closed` turns true
 * once the reader closes it, which a reader must do when it stops.
 */
export const endlessStream = (piece: Buffer): { readonly stream: Readable; readonly closed: () => boolean } => {
  let closed = false
  function* forever(): Generator<Buffer> {
    try {
      while (true) yield piece
    } finally {
      closed = true
    }
  }
  return { stream: Readable.from(forever()), closed: () => closed }
}

/** Every item of `source`, in order, and how many chunks carried them. */
export const drain = async (source: RecordSource): Promise<{ readonly items: Array<SourceItem>; readonly chunks: Array<number> }> => {
  const items: Array<SourceItem> = []
  const chunks: Array<number> = []
  for await (const chunk of source) {
    chunks.push(chunk.length)
    items.push(...chunk)
  }
  return { items, chunks }
}

/** Every item of `source`, in order. */
export const itemsOf = async (source: RecordSource): Promise<Array<SourceItem>> => (await drain(source)).items

/** Runs `test` with a fresh folder under the OS temp folder, removed afterwards whatever happens. */
export const withTempDir = async <A>(test: (dir: string) => Promise<A>): Promise<A> => {
  const dir = await mkdtemp(join(tmpdir(), "distributed-insert-input-"))
  try {
    return await test(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A `Record` item, for expectations. */
export const record = (line: number, value: unknown): SourceItem => ({ _tag: "Record", line, value })
