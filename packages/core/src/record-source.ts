/** A record read from an input, with the line it starts on (1-based). */
export interface SourceRecord {
  readonly _tag: "Record"
  readonly line: number
  readonly value: unknown
}

/** Text at `line` that could not become a record at all (bad JSON, wrong column count, ...). */
export interface MalformedInput {
  readonly _tag: "Malformed"
  readonly line: number
  readonly reason: string
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
