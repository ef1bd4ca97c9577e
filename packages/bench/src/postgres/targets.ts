import type { ContestantId } from "../contestants/contestant.ts"
import { POSTGRES_COPY_ID, POSTGRES_NAIVE_ID, POSTGRES_POPULATE_ID } from "../contestants/postgres.ts"
import { formatCount } from "../report/format.ts"
import type { ContestantSummary } from "../summary.ts"
import type { Verdict } from "../targets.ts"

/** The issue's PostgreSQL targets: populate against the naive baseline, and against psql \copy. */
export const MIN_RATIO_TO_NAIVE = 5
export const MIN_RATIO_TO_PSQL_COPY = 0.5

const recordsPerSecondOf = (summaries: ReadonlyArray<ContestantSummary>, id: ContestantId): number | null =>
  summaries.find((summary) => summary.contestant.id === id)?.medians?.recordsPerSecond ?? null

export interface PostgresRatio {
  readonly target: string
  readonly minimum: number
  /** Null when either side was not measured. */
  readonly measured: { readonly ratio: number; readonly populate: number; readonly against: number } | null
}

/** The two ratios the issue sets targets on, as measured (records/s of medians). */
export const postgresRatios = (summaries: ReadonlyArray<ContestantSummary>, naiveExtrapolated: boolean): ReadonlyArray<PostgresRatio> => {
  const populate = recordsPerSecondOf(summaries, POSTGRES_POPULATE_ID)
  const ratio = (against: ContestantId, target: string, minimum: number): PostgresRatio => {
    const base = recordsPerSecondOf(summaries, against)
    return { target, minimum, measured: populate === null || base === null ? null : { ratio: populate / base, populate, against: base } }
  }
  return [
    ratio(POSTGRES_NAIVE_ID, `populate → PostgreSQL / node-postgres naive${naiveExtrapolated ? " (extrapolated)" : ""} records/s ≥ ${MIN_RATIO_TO_NAIVE}`, MIN_RATIO_TO_NAIVE),
    ratio(POSTGRES_COPY_ID, `populate → PostgreSQL / psql \\copy records/s ≥ ${MIN_RATIO_TO_PSQL_COPY}`, MIN_RATIO_TO_PSQL_COPY)
  ]
}

/** The targets table's PostgreSQL lines; `notMeasured` says why when there is nothing to judge. */
export const judgePostgresTargets = (summaries: ReadonlyArray<ContestantSummary>, naiveExtrapolated: boolean, notMeasured: string | null): ReadonlyArray<Verdict> => {
  const targets = postgresRatios(summaries, naiveExtrapolated).map(
    ({ target, minimum, measured }): Verdict => ({
      kind: "target",
      target,
      measured:
        measured === null
          ? `not measured${notMeasured === null ? "" : ` (${notMeasured})`}`
          : `${measured.ratio.toFixed(2)} (${formatCount(measured.populate)} / ${formatCount(measured.against)})`,
      met: measured === null ? null : measured.ratio >= minimum
    })
  )
  // How far apart the two baselines are: the span the targets are set within.
  const naive = recordsPerSecondOf(summaries, POSTGRES_NAIVE_ID)
  const copy = recordsPerSecondOf(summaries, POSTGRES_COPY_ID)
  const span: Verdict = {
    kind: "informational",
    target: `psql \\copy / node-postgres naive${naiveExtrapolated ? " (extrapolated)" : ""} records/s`,
    measured: naive === null || copy === null ? "not measured" : `${(copy / naive).toFixed(1)} (${formatCount(copy)} / ${formatCount(naive)})`
  }
  return [...targets, span]
}
