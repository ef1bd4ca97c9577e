export { type GeneratedCounts, type GeneratedRecord, type GenerateOptions, generateNdjson, generateRecords, type NdjsonChunks } from "./generate.ts"
export { type GeneratedFile, type GenerateFilesOptions, generateFiles } from "./generate-files.ts"
export { writeGeneratedShard } from "./write-generated-shard.ts"
