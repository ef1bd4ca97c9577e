/**
 * What shard packages, and the packages that work with shards, test with. Test-only: it imports
 * vitest, `@effect/vitest` and fast-check, which the testing package provides (every package
 * that imports this entry has them as devDependencies).
 *
 * - `shardConformance`: a shard package's whole test, in one call. It registers the checks
 *   every shard must pass: its sample records' outcomes, its rules and generators, and
 *   validation of hostile input (never a throw, every rejection explained, every accepted
 *   record stored as given).
 * - `fieldKindsOf`, `hostileRecord` and the other hostile values: what the conformance check
 *   feeds validation, for tests that feed it through a pipeline and a database.
 * - `tagShard`: a small shard with generators.
 *
 * @example
 * ```ts
 * // packages/shard-users/src/users.test.ts
 * import { shardConformance } from "@distributed-insert/shard/testing"
 * import { users } from "./mod.ts"
 *
 * shardConformance(users, {
 *   // Per sample record, in order: null when it is accepted, else its messages.
 *   sampleOutcomes: [null, null, null, null, null, null, null, null, null, ["Name cannot be empty"]],
 *   examples: [{ record: { id: 11, name: "", email: "" }, errors: ["Email cannot be empty", "Name cannot be empty"] }]
 * })
 * ```
 *
 * @module
 */
export {
  acceptedProblems,
  type ConformanceOptions,
  type Outcome,
  rowOf,
  shardConformance,
  unexplainedIssues,
  VALIDATOR_CHECKS
} from "./conformance.ts"
export { acceptsValue, type FieldKind, fieldKindsOf, hasFieldsOfKinds } from "./field-kinds.ts"
export {
  anyInput,
  anyValue,
  deeplyNested,
  EDGE_NUMBERS,
  HOSTILE_KEYS,
  hostileNumber,
  hostileRecord,
  hostileText,
  hostileTextRecord,
  MEGABYTE_STRINGS,
  nested,
  numericText,
  SQL_META_STRINGS
} from "./hostile.ts"
export { tagGenerators, tagShard } from "./tag-shard.ts"
