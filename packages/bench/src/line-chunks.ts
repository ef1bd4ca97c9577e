import { open } from "node:fs/promises"

const CHUNK_BYTES = 256 * 1024

/**
 * The non-blank lines of a text file (NDJSON), one chunk's worth at a time: one await per
 * chunk rather than one per line (as readline's iterator does) keeps the caller's loop tight,
 * so the baselines are not slowed down by their reader. Blank lines are not records.
 */
export async function* readLineChunks(path: string): AsyncGenerator<ReadonlyArray<string>> {
  const file = await open(path)
  try {
    // Streaming decode: a multi-byte character split across two chunks is decoded whole.
    const decoder = new TextDecoder("utf-8", { fatal: true })
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    let carry = ""
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null)
      if (bytesRead === 0) break
      const lines = (carry + decoder.decode(buffer.subarray(0, bytesRead), { stream: true })).split("\n")
      carry = lines.pop() ?? ""
      yield lines.filter(isNotBlank)
    }
    const last = carry + decoder.decode()
    if (isNotBlank(last)) yield [last]
  } finally {
    await file.close()
  }
}

const isNotBlank = (line: string): boolean => line.trim().length > 0
