/**
 * Synthetic records for demos and benchmarks: each shard's valid and rule-breaking
 * generators, reproducible from a seed, written as NDJSON files.
 *
 * @module
 */
export { type GeneratedCounts, type GeneratedRecord, type GenerateOptions, generateNdjson, generateRecords, type NdjsonChunks } from "./generate.ts"
export { type GeneratedFile, type GenerateFilesOptions, generateFiles } from "./generate-files.ts"
export { writeGeneratedShard } from "./write-generated-shard.ts"
