import type { RecordResult, RunReport, ShardReport } from "@distributed-insert/pipeline"
import { displayPath } from "../common-options.ts"
import { redactSecrets } from "../config/redact.ts"
import { style } from "../style.ts"
import { terminalSafe } from "../terminal-text.ts"
import { shownLocation } from "./location.ts"

const percent = (part: number, whole: number): string => (whole === 0 ? "0.0%" : `${((part / whole) * 100).toFixed(1)}%`)
const count = (n: number): string => n.toLocaleString("en-US")

/** `User 10` when the record carries its primary key, else where it was in the input. */
const recordLabel = (shard: ShardReport, primaryKey: string | undefined, record: RecordResult): string => {
  const key = primaryKey !== undefined && typeof record.data === "object" && record.data !== null ? Reflect.get(record.data, primaryKey) : undefined
  return typeof key === "number" || typeof key === "string" ? `${shard.model} ${terminalSafe(String(key))}` : `${shard.model} #${record.position}`
}

const renderRecord = (shard: ShardReport, primaryKey: string | undefined, record: RecordResult, fromFile: boolean): Array<string> => {
  const mark =
    record.status === "skipped" ? style.dim("=") : record.status === "replaced" ? style.green("↻") : record.success ? style.green("✓") : style.red("✗")
  const where = fromFile ? style.dim(`line ${record.line}: `) : ""
  // Data and messages quoting it are shown with their control characters escaped (JSON.stringify
  // escapes C0 controls only, not DEL, C1 or bidirectional overrides).
  const lines = [`  ${mark} ${recordLabel(shard, primaryKey, record).padEnd(shard.model.length + 4)} ${where}${style.dim(terminalSafe(JSON.stringify(record.data) ?? "undefined"))}`]
  for (const issue of record.issues) {
    const detail = [issue.kind, issue.field, issue.rule].filter((part) => part !== null).join(" · ")
    lines.push(`      ${style.red(terminalSafe(issue.message))} ${style.dim(`(${terminalSafe(detail)})`)}`)
  }
  return lines
}

const renderShard = (shard: ShardReport, primaryKey: string | undefined): Array<string> => {
  const fromFile = shard.input !== "sample data"
  const source = fromFile ? ` ← ${shard.input === "stdin" ? "stdin" : terminalSafe(displayPath(shard.input))}` : ""
  const target = shard.location === null ? "" : ` → ${terminalSafe(shownLocation(shard.location))}`
  const lines = [style.bold(`${shard.shard} (${shard.model})${source}${target}`)]
  for (const step of shard.migrationsApplied) lines.push(style.dim(`  migrated ${step.model} to v${step.version}: ${step.description}`))
  if (shard.records !== null) {
    for (const record of shard.records) lines.push(...renderRecord(shard, primaryKey, record, fromFile))
  } else {
    const rules = Object.entries(shard.rejectedByRule).sort(([, a], [, b]) => b - a)
    if (rules.length > 0) lines.push(`  rejected by rule: ${rules.map(([rule, n]) => `${rule} ${count(n)}`).join(", ")}`)
    if (shard.firstRejected.length > 0) {
      lines.push(style.dim(`  first ${shard.firstRejected.length} rejected:`))
      for (const record of shard.firstRejected) lines.push(...renderRecord(shard, primaryKey, record, fromFile))
    }
  }
  const { processed, inserted, replaced, skipped, invalid, failed } = shard.counts
  const seconds = shard.durationMs / 1000
  const rate = seconds > 0 && processed >= 10_000 ? `, ${count(Math.round(processed / seconds))} records/s` : ""
  // Replaced and skipped appear only when --on-conflict made them happen.
  const conflicts = `${replaced > 0 ? `, ${count(replaced)} replaced` : ""}${skipped > 0 ? `, ${count(skipped)} skipped` : ""}`
  lines.push(
    `  ${count(inserted)}/${count(processed)} inserted${conflicts}, ${count(invalid)} invalid, ${count(failed)} failed ${style.dim(`in ${shard.durationMs} ms${rate}`)}`
  )
  if (shard.error !== null) {
    lines.push(style.red(`  shard failed during ${shard.error.operation}: ${terminalSafe(redactSecrets(shard.error.message))}`))
    // Checkpoints made part of the load durable: say how far, and how to complete it.
    if (shard.durableThrough > 0) {
      lines.push(
        // A database whose commits are durable (PostgreSQL) writes nothing back: no checkpoints to count.
        `  records 1-${count(shard.durableThrough)} are durable${shard.checkpoints > 0 ? ` (${count(shard.checkpoints)} checkpoints)` : ""}; re-run with --on-conflict skip to load the rest`
      )
    }
  }
  return lines
}

const renderSummary = (report: RunReport): Array<string> => {
  const { summary } = report
  const width = Math.max(...report.shards.map((shard) => `${shard.shard} (${shard.model})`.length))
  const perShard = report.shards.map((shard) => {
    const name = `${shard.shard} (${shard.model})`.padEnd(width)
    const outcome = shard.error === null ? "" : style.red(`  failed: ${shard.error.operation}`)
    // Successful means inserted, as in the totals below; replaced and skipped records are counted apart there too.
    const { inserted, replaced, skipped, processed } = shard.counts
    const conflicts = `${replaced > 0 ? `, ${count(replaced)} replaced` : ""}${skipped > 0 ? `, ${count(skipped)} skipped` : ""}`
    return `  ${name}  ${count(inserted)}/${count(processed)} successful${conflicts}${outcome}`
  })
  return [
    style.bold("Final Output Analysis"),
    ...perShard,
    "",
    `  Total records processed: ${count(summary.processed)}`,
    `  Successful insertions:   ${count(summary.inserted)} (${percent(summary.inserted, summary.processed)} success rate)`,
    ...(summary.replaced > 0 ? [`  Replaced:                ${count(summary.replaced)} (${percent(summary.replaced, summary.processed)})`] : []),
    ...(summary.skipped > 0 ? [`  Skipped (key taken):     ${count(summary.skipped)} (${percent(summary.skipped, summary.processed)})`] : []),
    `  Validation failures:     ${count(summary.invalid)} (${percent(summary.invalid, summary.processed)})`,
    `  Database errors:         ${count(summary.failed)} (${percent(summary.failed, summary.processed)})`,
    ...(summary.failedShards > 0 ? [style.red(`  Shards that failed:      ${summary.failedShards} of ${summary.shards}`)] : [])
  ]
}

/**
 * The human report: every shard in registration order, with each record and its reasons when
 * the run is small (the seed's report) or counts per rule and the first rejected records when
 * it is large; then the seed's "Final Output Analysis". Built whole before printing, so shards
 * never interleave.
 */
export const renderPopulateReport = (report: RunReport, primaryKeys: ReadonlyMap<string, string>): string =>
  [...report.shards.flatMap((shard) => [...renderShard(shard, primaryKeys.get(shard.shard)), ""]), ...renderSummary(report)].join("\n")
