import { Result } from "effect"
import { seededRandom } from "./random.ts"
import type { Shard } from "./shard.ts"

/**
 * What is wrong with `shard`'s generators, as sentences; empty when they keep their promise.
 * For each id from 1 to `ids`, with a stream seeded by the id, the valid generator must make a
 * record that passes `shard.validate`, and each rule's invalid generator one that breaks that
 * rule and no other. Records are checked as they come back from NDJSON (through JSON), since
 * that is how generated data is read.
 *
 * Meant for each shard package's tests: `expect(checkGenerators(shard)).toEqual([])`.
 */
export const checkGenerators = (shard: Shard, ids = 300): ReadonlyArray<string> => {
  const generators = shard.generators
  if (generators === undefined) return [`shard ${shard.name} declares no generators`]
  const problems: Array<string> = []
  for (let id = 1; id <= ids; id++) {
    const broken = brokenRules(shard, generators.valid(id, seededRandom(id)))
    if (broken.length > 0) problems.push(`id ${id}: the valid generator made a record that breaks ${broken.join(", ")}`)
    for (const { name } of shard.rules) {
      const generate = generators.invalid[name]
      if (generate === undefined) {
        if (id === 1) problems.push(`rule ${name} has no invalid generator`)
        continue
      }
      const brokenInstead = brokenRules(shard, generate(id, seededRandom(id)))
      if (brokenInstead.length !== 1 || brokenInstead[0] !== name) {
        problems.push(`id ${id}: the ${name} generator made a record that breaks ${brokenInstead.join(", ") || "nothing"}`)
      }
    }
  }
  return problems
}

/** The rules (or the type checks, named `type`, `required`, ...) that `record` fails once written as JSON and read back. */
const brokenRules = (shard: Shard, record: unknown): ReadonlyArray<string> => {
  const validation = shard.validate(JSON.parse(JSON.stringify(record)))
  return Result.isSuccess(validation) ? [] : validation.failure.map((issue) => issue.rule ?? "unknown")
}
