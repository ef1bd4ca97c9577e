import { BASELINE_ID, STATEMENT_ATOMICITY_ID } from "./contestants/better-sqlite3.ts"
import type { ContestantId } from "./contestants/contestant.ts"
import { formatCount, formatMegabytes } from "./report/format.ts"
import type { ContestantSummary, Medians } from "./summary.ts"

/**
 * One line of the targets table: one of the targets, judged (`met` is null when it
 * could not be measured), or a comparison shown for information, which passes or fails nothing.
 */
export type Verdict =
  | { readonly kind: "target"; readonly target: string; readonly measured: string; readonly met: boolean | null }
  | { readonly kind: "informational"; readonly target: string; readonly measured: string }

const MIN_RATIO_TO_BETTER_SQLITE3 = 1.0
const MIN_RATIO_TO_SQLITE3_SHELL = 0.5
const RSS_ALLOWANCE_BYTES = 150e6
const RSS_PER_DATABASE_BYTE = 3

/** `measured / baseline` records/s as the report shows it, or null when either is missing. */
const speedRatio = (measured: Medians | null, baseline: Medians | null): { readonly value: number; readonly shown: string } | null => {
  if (measured === null || baseline === null) return null
  const value = measured.recordsPerSecond / baseline.recordsPerSecond
  return { value, shown: `${value.toFixed(2)} (${formatCount(measured.recordsPerSecond)} / ${formatCount(baseline.recordsPerSecond)})` }
}

/**
 * The targets, for every `populate` mode that ran (its default first): records/s against each
 * baseline, and peak RSS against 3 × its databases' size + 150 MB. Then, for information,
 * populate's default against better-sqlite3 with the same statement atomicity as populate.
 */
export const judgeTargets = (summaries: ReadonlyArray<ContestantSummary>): ReadonlyArray<Verdict> => {
  const find = (id: ContestantId) => summaries.find((summary) => summary.contestant.id === id)?.medians ?? null
  const betterSqlite3 = find(BASELINE_ID)
  const sqlite3Shell = find("sqlite3-shell")
  const targets = summaries
    .filter((summary) => summary.contestant.id.startsWith("populate"))
    .flatMap(({ contestant, medians }): ReadonlyArray<Verdict> => {
      const ratio = (baseline: Medians | null, minimum: number, against: string): Verdict => {
        const measured = speedRatio(medians, baseline)
        return {
          kind: "target",
          target: `${contestant.label} / ${against} records/s ≥ ${minimum.toFixed(1)}`,
          measured: measured?.shown ?? "not measured",
          met: measured === null ? null : measured.value >= minimum
        }
      }
      const rssTarget = `${contestant.label} peak RSS ≤ 3 × databases + 150 MB`
      const rss: Verdict =
        medians === null
          ? { kind: "target", target: rssTarget, measured: "not measured", met: null }
          : {
              kind: "target",
              target: rssTarget,
              measured: `${formatMegabytes(medians.peakRssBytes)} MB; limit 3 × ${formatMegabytes(medians.databaseBytes)} + 150 = ${formatMegabytes(RSS_PER_DATABASE_BYTE * medians.databaseBytes + RSS_ALLOWANCE_BYTES)} MB`,
              met: medians.peakRssBytes <= RSS_PER_DATABASE_BYTE * medians.databaseBytes + RSS_ALLOWANCE_BYTES
            }
      return [
        ratio(betterSqlite3, MIN_RATIO_TO_BETTER_SQLITE3, "better-sqlite3"),
        ratio(sqlite3Shell, MIN_RATIO_TO_SQLITE3_SHELL, "sqlite3 shell"),
        rss
      ]
    })
  // The baseline pays for a SAVEPOINT per record, which populate does not: this line
  // shows how populate fares against better-sqlite3 doing exactly its work.
  const statementAtomicity: Verdict = {
    kind: "informational",
    target: "populate (default) / better-sqlite3 statement-atomicity records/s",
    measured: speedRatio(find("populate"), find(STATEMENT_ATOMICITY_ID))?.shown ?? "not measured"
  }
  return [...targets, statementAtomicity]
}
