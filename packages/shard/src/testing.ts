/**
 * What shard packages and the packages that work with shards test with: a small shard with
 * generators (`tagShard`).
 *
 * @module
 */
export { tagGenerators, tagShard } from "./tag-shard.ts"
