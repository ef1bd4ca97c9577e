/**
 * Record sources: NDJSON, JSON arrays and CSV from files or stdin, and the built-in sample
 * data; streamed, bounded per record, strict about UTF-8 and about numbers.
 *
 * @module
 */
export { readCsv } from "./csv.ts"
export { failedInput } from "./failed-input.ts"
export { formatOfPath, INPUT_FORMATS, type InputFormat } from "./format.ts"
export { InputError } from "./input-error.ts"
export { type InputSpec, parseInputSpec } from "./input-spec.ts"
export { readJsonArray } from "./json-array.ts"
export { readNdjson } from "./ndjson.ts"
export { openInput, STDIN_PATH } from "./open-input.ts"
export type { MalformedInput, RecordSource, ShardInput, SourceItem, SourceRecord } from "./record-source.ts"
export { memoryInput, sampleInput } from "./sample-input.ts"
