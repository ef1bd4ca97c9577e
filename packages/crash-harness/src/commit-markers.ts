import type { ShardExpectation } from "./shard-home.ts"

/**
 * How a shard whose commits are durable (PostgreSQL) may stand after a kill, compared with the
 * `--report` file's markers.
 *
 * The pipeline commits a batch (one transaction), then appends its records' lines and a marker
 * `through` = the batch's last input position, and only then reads the next batch
 * (pipeline/src/load-shard.ts, `committed`). Batches are runs of `--batch-size` input positions
 * from position 1 (the last one shorter). So a kill leaves the rows of exactly the positions
 * 1..P for a batch boundary P that is either the markers' `through` T (killed before the next
 * commit, or during its transaction, which the server rolls back) or the boundary right after it
 * (killed after that commit but before its marker was written): never part of a batch, never
 * two batches beyond the markers, never a row of a position the markers' batch does not reach.
 */
export interface CommittedPrefix {
  /** The batch boundary whose rows the shard holds exactly; null when it holds no such prefix. */
  readonly reached: number | null
  /** Rows the markers do not cover (those of positions after T). */
  readonly beyondMarkers: number
  /** What is wrong, as sentences; empty when the rows are a whole-batch prefix as above. */
  readonly problems: ReadonlyArray<string>
}

/**
 * Judges the ids of the rows `ids` of shard `shard` against its markers' `through` (0 when it
 * has none). Only which ids are there: whether each row equals its input is the harness's
 * losses and strangers.
 */
export const committedPrefix = (
  shard: string,
  ids: ReadonlySet<number>,
  through: number,
  batchSize: number,
  expected: ShardExpectation
): CommittedPrefix => {
  const total = expected.idsByPosition.length
  /** The ids a complete load stores from positions 1..`end`. */
  const storedThrough = (end: number): ReadonlySet<number> => {
    const stored = new Set<number>()
    for (const id of expected.idsByPosition.slice(0, end)) if (id !== null && expected.rows.has(id)) stored.add(id)
    return stored
  }
  const marked = storedThrough(through)
  const beyond = [...ids].filter((id) => !marked.has(id))
  const candidates = through >= total ? [total] : [through, Math.min(through + batchSize, total)]
  const reached = candidates.find((end) => {
    const want = end === through ? marked : storedThrough(end)
    return want.size === ids.size && [...want].every((id) => ids.has(id))
  })
  if (reached !== undefined) return { reached, beyondMarkers: beyond.length, problems: [] }

  const positionOf = new Map<number, number>()
  expected.idsByPosition.forEach((id, index) => {
    if (id !== null && !positionOf.has(id)) positionOf.set(id, index + 1)
  })
  const missing = [...marked].filter((id) => !ids.has(id)).length
  const beyondPositions = beyond.map((id) => positionOf.get(id) ?? Number.NaN).sort((left, right) => left - right)
  const span = beyondPositions.length === 0 ? "" : ` (positions ${beyondPositions[0]}..${beyondPositions[beyondPositions.length - 1]})`
  return {
    reached: null,
    beyondMarkers: beyond.length,
    problems: [
      `${shard}: its rows are not the records of input positions 1..P for P = ${candidates.join(" or ")} (the markers' ${through}, or one batch more): ` +
        `${missing} of the marked records missing, ${beyond.length} rows beyond the markers${span}`
    ]
  }
}
