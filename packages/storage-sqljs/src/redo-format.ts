import { hash } from "node:crypto"
import type { ConflictMode } from "@distributed-insert/storage"
import type { Row, SqlValue } from "@distributed-insert/shard"
import { crc32 } from "node:zlib"

/**
 * The bytes of a shard's redo journal (`users.db.redo`): what the checkpoints since the last
 * snapshot of `users.db` added, so that a checkpoint writes what it adds rather than the whole
 * database. It is an append-only file:
 *
 *   header: "DIREDO01" | SHA-256 of the snapshot it applies to (32 bytes) | CRC-32 of both (4)
 *   frame:  payload length (u32 LE) | CRC-32 of the payload (u32 LE) | payload
 *
 * A payload is a kind byte and UTF-8 JSON. `Rows`: the rows one batch landed (inserted or
 * replaced, in order; skipped and refused rows left no trace), with the statement that landed
 * them, so replaying them over the snapshot rebuilds exactly the database after that batch.
 * `Superseded`: written just before a new snapshot is renamed over the file, naming it, so
 * that a journal a crash left behind the new snapshot is known stale and never replayed twice.
 * A crash mid-append leaves a frame whose length or CRC does not hold: it and what follows are
 * the torn tail, dropped.
 */

const MAGIC = new TextEncoder().encode("DIREDO01")
const ID_BYTES = 32
export const HEADER_BYTES = MAGIC.length + ID_BYTES + 4
const FRAME_HEAD_BYTES = 8

const ROWS = 1
const SUPERSEDED = 2

/** A snapshot's identity: the SHA-256 of its bytes, so a copy of the files keeps its journal. */
export type SnapshotId = string

export const snapshotIdOf = (bytes: Uint8Array): SnapshotId => hash("sha256", bytes, "hex")

export interface RowsFrame {
  readonly _tag: "Rows"
  readonly table: string
  readonly columns: ReadonlyArray<string>
  readonly primaryKey: string
  /** `fail`: replayed as a plain INSERT; `replace`: as the batch's upsert. */
  readonly onConflict: Extract<ConflictMode, "fail" | "replace">
  readonly rows: ReadonlyArray<Row>
}

export interface SupersededFrame {
  readonly _tag: "Superseded"
  readonly by: SnapshotId
}

export type RedoFrame = RowsFrame | SupersededFrame

export const encodeHeader = (base: SnapshotId): Uint8Array => {
  const header = new Uint8Array(HEADER_BYTES)
  header.set(MAGIC, 0)
  header.set(Buffer.from(base, "hex"), MAGIC.length)
  new DataView(header.buffer).setUint32(MAGIC.length + ID_BYTES, crc32(header.subarray(0, MAGIC.length + ID_BYTES)), true)
  return header
}

export const encodeFrame = (frame: RedoFrame): Uint8Array => {
  const special = frame._tag === "Rows" && frame.rows.some(hasSpecialValue)
  const json =
    frame._tag === "Superseded"
      ? JSON.stringify({ by: frame.by })
      : JSON.stringify(
          { t: frame.table, c: frame.columns, k: frame.primaryKey, m: frame.onConflict, r: frame.rows, ...(special ? { x: 1 } : {}) },
          special ? encodeSpecial : undefined
        )
  const text = Buffer.from(json, "utf8")
  const bytes = new Uint8Array(FRAME_HEAD_BYTES + 1 + text.length)
  bytes[FRAME_HEAD_BYTES] = frame._tag === "Rows" ? ROWS : SUPERSEDED
  bytes.set(text, FRAME_HEAD_BYTES + 1)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, bytes.length - FRAME_HEAD_BYTES, true)
  view.setUint32(4, crc32(bytes.subarray(FRAME_HEAD_BYTES)), true)
  return bytes
}

/** What a journal file holds, as far as it is whole. */
export interface ParsedJournal {
  /** The snapshot its frames apply to; undefined when even the header is torn (nothing in it was ever durable). */
  readonly base: SnapshotId | undefined
  readonly frames: ReadonlyArray<RowsFrame>
  /** The snapshots that replaced `base` (normally at most one). */
  readonly supersededBy: ReadonlyArray<SnapshotId>
  /** Where the whole frames end: the rest is a torn tail. */
  readonly validBytes: number
  readonly size: number
}

export const parseJournal = (bytes: Uint8Array): ParsedJournal => {
  const size = bytes.length
  const torn = { base: undefined, frames: [], supersededBy: [], validBytes: 0, size }
  if (size < HEADER_BYTES || !MAGIC.every((byte, index) => bytes[index] === byte)) return torn
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(MAGIC.length + ID_BYTES, true) !== crc32(bytes.subarray(0, MAGIC.length + ID_BYTES))) return torn
  const base = Buffer.from(bytes.subarray(MAGIC.length, MAGIC.length + ID_BYTES)).toString("hex")
  const frames: Array<RowsFrame> = []
  const supersededBy: Array<SnapshotId> = []
  let offset = HEADER_BYTES
  while (offset + FRAME_HEAD_BYTES <= size) {
    const length = view.getUint32(offset, true)
    const end = offset + FRAME_HEAD_BYTES + length
    if (length === 0 || end > size) break
    const payload = bytes.subarray(offset + FRAME_HEAD_BYTES, end)
    if (crc32(payload) !== view.getUint32(offset + 4, true)) break
    const frame = decodePayload(payload)
    if (frame === undefined) break
    if (frame._tag === "Rows") frames.push(frame)
    else supersededBy.push(frame.by)
    offset = end
  }
  return { base, frames, supersededBy, validBytes: offset, size }
}

/** A whole frame's payload; undefined for one this version does not know (treated as torn). */
const decodePayload = (payload: Uint8Array): RedoFrame | undefined => {
  const text = Buffer.from(payload.buffer, payload.byteOffset + 1, payload.length - 1).toString("utf8")
  try {
    if (payload[0] === SUPERSEDED) {
      const { by } = JSON.parse(text) as { by: unknown }
      return typeof by === "string" ? { _tag: "Superseded", by } : undefined
    }
    if (payload[0] !== ROWS) return undefined
    const head = text.includes('"x":1') ? JSON.parse(text, decodeSpecial) : JSON.parse(text)
    if (!isRowsPayload(head)) return undefined
    return { _tag: "Rows", table: head.t, columns: head.c, primaryKey: head.k, onConflict: head.m, rows: head.r }
  } catch {
    // A frame whose CRC holds but whose text does not parse was not written by this format: the
    // journal ends before it, like at a torn frame (the caller says how much it dropped).
    return undefined
  }
}

interface RowsPayload {
  readonly t: string
  readonly c: Array<string>
  readonly k: string
  readonly m: "fail" | "replace"
  readonly r: Array<Row>
}

const isRowsPayload = (value: unknown): value is RowsPayload => {
  if (typeof value !== "object" || value === null) return false
  const { t, c, k, m, r } = value as Record<string, unknown>
  return typeof t === "string" && Array.isArray(c) && typeof k === "string" && (m === "fail" || m === "replace") && Array.isArray(r)
}

/** JSON keeps every finite double exactly; blobs, infinities, NaN and -0 need a tag. */
const isSpecial = (value: SqlValue): boolean =>
  value instanceof Uint8Array || (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0)))

const hasSpecialValue = (row: Row): boolean => row.some(isSpecial)

const encodeSpecial = function (this: unknown, _key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") }
  if (typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))) return { n: Object.is(value, -0) ? "-0" : String(value) }
  return value
}

const decodeSpecial = (_key: string, value: unknown): unknown => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value
  const tagged = value as Record<string, unknown>
  if (typeof tagged["b"] === "string") return new Uint8Array(Buffer.from(tagged["b"], "base64"))
  if (typeof tagged["n"] === "string") return tagged["n"] === "-0" ? -0 : Number(tagged["n"])
  return value
}
