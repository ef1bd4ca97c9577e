import { type Random, type Shard, seededRandom } from "@distributed-insert/shard"
import { Result } from "effect"
import { GeneratorsMissingError } from "./generate-errors.ts"

/** What to generate for one shard. */
export interface GenerateOptions {
  /** How many records: ids run from 1 to `count`, so primary keys are unique. A non-negative safe integer. */
  readonly count: number
  /** The probability, in [0, 1], that a record breaks one of the shard's rules. */
  readonly invalidRatio: number
  /** Any safe integer. The same seed gives the same records, whatever other shards are generated. */
  readonly seed: number
}

/** One generated record, in its raw (encoded) form, and the rule it was made to break. */
export interface GeneratedRecord {
  readonly value: unknown
  /** `null` for a valid record. */
  readonly brokenRule: string | null
}

/** What a generation produced. */
export interface GeneratedCounts {
  readonly total: number
  readonly valid: number
  readonly invalid: number
  /** Invalid records by the rule they break: every rule of the shard, in declaration order, zeros included. */
  readonly invalidByRule: Readonly<Record<string, number>>
}

/** NDJSON as UTF-8 bytes, in chunks of whole lines; what the generator returns once done are the counts. */
export type NdjsonChunks = Generator<Uint8Array, GeneratedCounts, undefined>

// Large enough that writing costs a few hundred system calls per million records, small enough
// that memory stays flat whatever the count.
const CHUNK_BYTES = 1 << 20
// Lines are joined into strings of a few kilobytes, each encoded with one call: encoding line by
// line costs more in calls than the copying it saves.
const BATCH_CHARS = 8 << 10

/**
 * The synthetic records of `shard`, produced lazily from its `generators`. Record `i` (from 1)
 * is invalid with probability `invalidRatio`, and then breaks one of the shard's rules picked
 * uniformly; every draw comes from a stream seeded by `seed` and the shard's name. A shard
 * with no rules has nothing to break: its records are all valid.
 *
 * @throws RangeError when `options` are out of range: a programming error.
 */
export const generateRecords = (
  shard: Shard,
  options: GenerateOptions
): Result.Result<Iterable<GeneratedRecord>, GeneratorsMissingError> => {
  assertOptions(options)
  const generators = shard.generators
  if (generators === undefined) return Result.fail(new GeneratorsMissingError({ shard: shard.name, rules: [] }))
  const breakers = shard.rules.map((rule) => ({ rule: rule.name, generate: generators.invalid[rule.name] }))
  const missing = breakers.flatMap((breaker) => (breaker.generate === undefined ? [breaker.rule] : []))
  if (missing.length > 0) return Result.fail(new GeneratorsMissingError({ shard: shard.name, rules: missing }))

  const { count, invalidRatio } = options
  return Result.succeed({
    // A fresh stream per iteration, so iterating again gives the same records again.
    *[Symbol.iterator]() {
      const random = streamFor(options.seed, shard.name)
      for (let id = 1; id <= count; id++) {
        // With no rules, int(0, -1) is 0 and finds no breaker: the record stays valid.
        const breaker = random.next() < invalidRatio ? breakers[random.int(0, breakers.length - 1)] : undefined
        yield breaker?.generate === undefined
          ? { value: generators.valid(id, random), brokenRule: null }
          : { value: breaker.generate(id, random), brokenRule: breaker.rule }
      }
    }
  })
}

/**
 * The records of {@link generateRecords} as NDJSON, one record per line, in chunks of about a
 * megabyte; the generator returns the counts. Same shard, options and generators: the same
 * bytes. Each chunk is a fresh buffer: a consumer may keep it.
 */
export const generateNdjson = (shard: Shard, options: GenerateOptions): Result.Result<NdjsonChunks, GeneratorsMissingError> =>
  Result.map(generateRecords(shard, options), (records) => ndjsonChunks(records, shard.rules.map((rule) => rule.name)))

function* ndjsonChunks(records: Iterable<GeneratedRecord>, rules: ReadonlyArray<string>): NdjsonChunks {
  const invalidByRule = new Map(rules.map((rule) => [rule, 0]))
  let total = 0
  function* lineBatches(): Generator<string, void, undefined> {
    let lines = ""
    for (const record of records) {
      total++
      if (record.brokenRule !== null) invalidByRule.set(record.brokenRule, (invalidByRule.get(record.brokenRule) ?? 0) + 1)
      lines += `${JSON.stringify(record.value)}\n`
      if (lines.length >= BATCH_CHARS) {
        yield lines
        lines = ""
      }
    }
    if (lines.length > 0) yield lines
  }
  yield* packUtf8(lineBatches(), CHUNK_BYTES)
  let invalid = 0
  for (const perRule of invalidByRule.values()) invalid += perRule
  return { total, valid: total - invalid, invalid, invalidByRule: Object.fromEntries(invalidByRule) }
}

/** Encodes `texts` as UTF-8 into fresh buffers of about `size` bytes each; a text is never split. */
function* packUtf8(texts: Iterable<string>, size: number): Generator<Uint8Array, void, undefined> {
  let chunk = Buffer.allocUnsafe(size)
  let used = 0
  for (const text of texts) {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: a bound that spares measuring the text.
    const mostBytes = 3 * text.length
    if (used + mostBytes > chunk.length) {
      if (used > 0) yield chunk.subarray(0, used)
      chunk = Buffer.allocUnsafe(Math.max(size, mostBytes))
      used = 0
    }
    used += chunk.write(text, used)
  }
  if (used > 0) yield chunk.subarray(0, used)
}

/**
 * The shard's own stream, seeded from the seed and the shard name: a shard's records do not
 * depend on which other shards are generated, nor in what order.
 */
const streamFor = (seed: number, shard: string): Random => seededRandom(fnv1a(`${seed}:${shard}`))

/** FNV-1a, 32 bits: a stable string hash, the same on every platform. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193)
  return hash >>> 0
}

const assertOptions = ({ count, invalidRatio, seed }: GenerateOptions): void => {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`)
  if (!(invalidRatio >= 0 && invalidRatio <= 1)) throw new RangeError(`invalidRatio must be between 0 and 1, got ${invalidRatio}`)
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`)
}
