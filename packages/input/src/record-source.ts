import type { UnreadableRule } from "@distributed-insert/shard"

/** A record read from an input, with the line it starts on (1-based). */
export interface SourceRecord {
  readonly _tag: "Record"
  readonly line: number
  readonly value: unknown
}

/**
 * Text at `line` that could not become a record at all (bad JSON, wrong column count, bytes
 * that are not UTF-8, a record beyond the limits, ...), rejected in a record's place.
 */
export interface MalformedInput {
  readonly _tag: "Malformed"
  readonly line: number
  readonly reason: string
  /** The rule the report counts it under; `malformed` when not given. */
  readonly rule?: UnreadableRule
  /** The top-level field at fault, when one is (a duplicate key, a number that cannot be stored). */
  readonly field?: string
  /** The text it was read from, as the report shows it in place of the record (see `shownText`). */
  readonly text?: string
}

export type SourceItem = SourceRecord | MalformedInput

/**
 * Records as they are read, in chunks: one await per chunk rather than per record keeps the
 * loop that consumes them tight. Chunks may have any size; the pipeline re-batches them.
 */
export type RecordSource = AsyncIterable<ReadonlyArray<SourceItem>> | Iterable<ReadonlyArray<SourceItem>>

/** What the pipeline needs to know about one shard's input. */
export interface ShardInput {
  readonly source: RecordSource
  /** Where the records come from, for messages: a path, `stdin` or `sample data`. */
  readonly origin: string
  /** True when every value arrives as text (CSV): numeric fields are then decoded from text. */
  readonly textValues: boolean
  /** How far the reading is, for progress and ETA: bytes (or records) done of a known total. */
  readonly progress?: () => { readonly done: number; readonly total: number | null }
}
