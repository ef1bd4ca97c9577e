import { closeSync, constants, createReadStream, fstat, open as openFd, type Stats } from "node:fs"
import { Socket } from "node:net"
import { Readable } from "node:stream"
import { promisify } from "node:util"

/** Bytes per read of a regular file: fewer round trips through the thread pool, which worker threads share. */
const CHUNK_BYTES = 1 << 20

export interface FileStream {
  /** The file's bytes; opened when first read. */
  readonly stream: Readable
  /** How many bytes were read so far. */
  readonly bytesRead: () => number
}

/**
 * Reads the file at `path` as a stream, so that waiting for it can always be interrupted.
 *
 * `createReadStream(path)` opens the file in a thread of libuv's pool, and `open()` of a FIFO
 * blocks until something opens its other end: with no writer, that thread waits forever, and
 * since `process.exit` waits for the pool's threads, neither Ctrl-C nor SIGTERM can end the
 * process. Here the file is opened with O_NONBLOCK, which returns at once, and then read
 * according to what it is: a FIFO or a socket through the event loop (a `net.Socket` on the
 * descriptor, which waits for a writer, then reads until the last writer closes, and is
 * simply dropped when the run is interrupted); a regular file in 1 MB reads; anything else (a
 * terminal, `/dev/zero`) reopened without O_NONBLOCK, since its reads would fail with EAGAIN.
 */
export const openFileStream = (path: string): FileStream => {
  let bytesRead = 0
  async function* chunks(): AsyncGenerator<Buffer> {
    const source = await openSource(path)
    try {
      for await (const chunk of source) {
        const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), "utf8")
        bytesRead += bytes.length
        yield bytes
      }
    } finally {
      source.destroy()
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), bytesRead: () => bytesRead }
}

const openSource = async (path: string): Promise<Readable> => {
  // A plain descriptor, not a FileHandle: the stream made from it owns it and closes it, and a
  // FileHandle would close it again when garbage-collected.
  const fd = await promisify(openFd)(path, constants.O_RDONLY | constants.O_NONBLOCK)
  let stats: Stats
  try {
    stats = await promisify(fstat)(fd)
  } catch (error) {
    closeSync(fd)
    throw error
  }
  if (stats.isFIFO() || stats.isSocket()) return new Socket({ fd, readable: true, writable: false })
  if (stats.isFile()) return createReadStream(path, { fd, highWaterMark: CHUNK_BYTES })
  closeSync(fd)
  if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: "EISDIR" })
  return createReadStream(path, { highWaterMark: CHUNK_BYTES })
}
