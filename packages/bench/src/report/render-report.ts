import { Result } from "effect"
import { countingContestantIds, STATEMENT_ATOMICITY_ID } from "../contestants/better-sqlite3.ts"
import type { CountCheck, ShardCensus } from "../count-checks.ts"
import { baselineCountsOf } from "../count-checks.ts"
import type { MachineFacts } from "../machine-facts.ts"
import type { ContestantSummary } from "../summary.ts"
import type { Verdict } from "../targets.ts"
import { formatCount, formatMegabytes, formatSeconds } from "./format.ts"

export interface TimedCommands {
  readonly label: string
  readonly commands: ReadonlyArray<string>
}

export interface BenchReport {
  /** E.g. `small, 3 × 100,000 records`. */
  readonly title: string
  readonly facts: MachineFacts
  readonly loadAverageAtEnd: ReadonlyArray<number>
  readonly sqliteVersions: string
  readonly census: ReadonlyArray<ShardCensus>
  readonly repetitions: number
  readonly meter: string
  readonly summaries: ReadonlyArray<ContestantSummary>
  readonly verdicts: ReadonlyArray<Verdict>
  readonly checks: ReadonlyArray<CountCheck>
  readonly preparation: ReadonlyArray<string>
  readonly timed: ReadonlyArray<TimedCommands>
  /** Sections of their own (a title, then its paragraphs), after the counts: PostgreSQL's. */
  readonly sections: ReadonlyArray<{ readonly title: string; readonly paragraphs: ReadonlyArray<string> }>
  /** What went wrong: failed contestants, disagreeing counts. Empty for a complete run. */
  readonly problems: ReadonlyArray<string>
}

/** The report as Markdown: printed as is, and committed as the results file. */
export const renderReport = (report: BenchReport): string => {
  const totalRecords = report.census.reduce((sum, { records }) => sum + records, 0)
  const { facts } = report
  return [
    `# Benchmark: ${report.title}`,
    "",
    `- Date: ${facts.date}`,
    `- Machine: nproc ${facts.nproc}, ${facts.cpuModel}, ${formatGigabytes(facts.memoryBytes)} GB RAM, ${facts.os}`,
    `- Load average (1, 5, 15 min): ${formatLoad(facts.loadAverage)} when it started, ${formatLoad(report.loadAverageAtEnd)} at the end (the machine may be shared)`,
    `- Node ${facts.node}; ${report.sqliteVersions}`,
    `- Commit: ${facts.commit}`,
    `- Data: ${formatCount(totalRecords)} records: ${report.census.map(({ shard, records, valid }) => `${shard.name} ${formatCount(records)} (${formatCount(records - valid)} invalid)`).join(", ")}`,
    `- Each contestant run ${report.repetitions} time(s) as whole processes, rounds interleaved, each run into an empty directory; medians below`,
    `- Peak RSS: ${report.meter}`,
    "",
    "## Results",
    "",
    table(
      ["contestant", "wall s", "records/s", "peak RSS MB", "databases MB", "wall s of each run"],
      ["l", "r", "r", "r", "r", "l"],
      report.summaries.map(({ contestant, medians, samples, failure }) =>
        medians === null
          ? [contestant.label, "—", "—", "—", "—", failure === null ? "not measured" : "not measured (see Problems)"]
          : [
              contestant.label,
              formatSeconds(medians.wallSeconds),
              formatCount(medians.recordsPerSecond),
              formatMegabytes(medians.peakRssBytes),
              formatMegabytes(medians.databaseBytes),
              samples.map((sample) => formatSeconds(sample.wallSeconds)).join(", ") + (failure === null ? "" : " (then failed: see Problems)")
            ]
      )
    ),
    "",
    "records/s = all input records of the three files (valid or not) / median wall time, for every contestant.",
    ...(report.summaries.some(({ contestant }) => contestant.id === "sqlite3-shell")
      ? ["The sqlite3 shell runs one process per shard, one after the other: its wall time is their sum, its peak RSS their maximum."]
      : []),
    ...(report.summaries.some(({ contestant }) => contestant.id === STATEMENT_ATOMICITY_ID)
      ? [
          "better-sqlite3 with statement atomicity runs the baseline's script without its SAVEPOINT per record, relying as populate does on SQLite undoing a failed INSERT alone: informational, the targets are computed against the baseline."
        ]
      : []),
    "MB = 10^6 bytes.",
    "",
    "## Targets",
    "",
    table(
      ["target", "measured", "met"],
      ["l", "l", "l"],
      report.verdicts.map((verdict) => [verdict.target, verdict.measured, verdictCell(verdict)])
    ),
    "",
    "## Counts",
    "",
    countsTable(report.census, report.summaries),
    "",
    checksSummary(report.checks),
    ...report.sections.flatMap(({ title, paragraphs }) => ["", `## ${title}`, ...paragraphs.flatMap((paragraph) => ["", paragraph])]),
    ...(report.problems.length === 0 ? [] : ["", "## Problems", "", ...report.problems.flatMap(renderProblem)]),
    "",
    "## Commands",
    "",
    ...report.preparation.map((line) => `- ${line}`),
    "",
    "Timed, each run with `OUT` a fresh empty directory under `$WORK`:",
    "",
    ...report.timed.flatMap(({ label, commands }) => [`- ${label}:`, "  ```sh", ...commands.map((command) => `  ${command}`), "  ```"]),
    ""
  ].join("\n")
}

const verdictCell = (verdict: Verdict): string => {
  if (verdict.kind === "informational") return "informational (not one of the issue's targets)"
  return verdict.met === null ? "not measured" : verdict.met ? "yes" : "**no**"
}

const countsTable = (census: ReadonlyArray<ShardCensus>, summaries: ReadonlyArray<ContestantSummary>): string => {
  // Each run of the baseline script prints what it inserted, found invalid and saw refused.
  const scripts = summaries
    .filter(({ contestant }) => countingContestantIds.includes(contestant.id))
    .map(({ contestant }) => ({ label: contestant.label, counts: Result.getOrNull(baselineCountsOf(summaries, contestant.id)) }))
  const measured = summaries.filter((summary) => summary.samples.length > 0)
  return table(
    [
      "shard",
      "records",
      "valid (shard.validate)",
      ...scripts.map(({ label }) => `${label}: inserted / invalid / failed`),
      ...measured.map(({ contestant }) => `rows: ${contestant.label}`)
    ],
    ["l", "r", "r", ...scripts.map((): "r" => "r"), ...measured.map((): "r" => "r")],
    census.map(({ shard, records, valid }) => [
      shard.name,
      formatCount(records),
      formatCount(valid),
      ...scripts.map(({ counts }) => {
        const shardCounts = counts?.get(shard.name)
        return shardCounts === undefined
          ? "—"
          : `${formatCount(shardCounts.inserted)} / ${formatCount(shardCounts.invalid)} / ${formatCount(shardCounts.failed)}`
      }),
      ...measured.map(({ samples }) => {
        const rows = samples[0]?.rowsByShard.get(shard.name)
        return rows === undefined ? "—" : formatCount(rows)
      })
    ])
  )
}

const checksSummary = (checks: ReadonlyArray<CountCheck>): string => {
  const failed = checks.filter((check) => !check.ok)
  return failed.length === 0
    ? `All ${checks.length} count checks agree (every contestant wrote the rows the baseline inserted; each better-sqlite3 run accounts for every record).`
    : [`**${failed.length} of ${checks.length} count checks disagree:**`, "", ...failed.map((check) => `- ${check.description}`)].join("\n")
}

const table = (header: ReadonlyArray<string>, align: ReadonlyArray<"l" | "r">, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [header, align.map((side) => (side === "r" ? "---:" : "---")), ...rows].map((cells) => `| ${cells.map(escapeCell).join(" | ")} |`).join("\n")

const escapeCell = (cell: string): string => cell.replaceAll("|", "\\|").replaceAll("\n", " ")

/** The first line as a bullet; the rest (a process's output, say) verbatim in a block under it. */
const renderProblem = (problem: string): ReadonlyArray<string> => {
  const [summary = "", ...detail] = problem.split("\n")
  return detail.length === 0 ? [`- ${summary}`] : [`- ${summary}`, "  ```text", ...detail.map((line) => `  ${line}`), "  ```"]
}

const formatLoad = (loadAverage: ReadonlyArray<number>): string => loadAverage.map((load) => load.toFixed(2)).join(", ")

const formatGigabytes = (bytes: number): string => (bytes / 1e9).toFixed(1)
