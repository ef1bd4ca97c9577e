import type { RecordResult, RunReport, ShardReport } from "@distributed-insert/core"
import { displayPath } from "../common-options.ts"
import { style } from "../style.ts"

const percent = (part: number, whole: number): string => (whole === 0 ? "0.0%" : `${((part / whole) * 100).toFixed(1)}%`)

/** `User 10` when the record carries its primary key, else its position in the input. */
const recordLabel = (shard: ShardReport, primaryKey: string | undefined, record: RecordResult): string => {
  const key = primaryKey !== undefined && typeof record.data === "object" && record.data !== null ? Reflect.get(record.data, primaryKey) : undefined
  return typeof key === "number" || typeof key === "string" ? `${shard.model} ${key}` : `${shard.model} #${record.position}`
}

const renderRecord = (shard: ShardReport, primaryKey: string | undefined, record: RecordResult): Array<string> => {
  const mark = record.success ? style.green("✓") : style.red("✗")
  const lines = [`  ${mark} ${recordLabel(shard, primaryKey, record).padEnd(shard.model.length + 4)} ${style.dim(JSON.stringify(record.data))}`]
  for (const issue of record.issues) {
    const where = [issue.kind, issue.field, issue.rule].filter((part) => part !== null).join(" · ")
    lines.push(`      ${style.red(issue.message)} ${style.dim(`(${where})`)}`)
  }
  return lines
}

const renderShard = (shard: ShardReport, primaryKey: string | undefined): Array<string> => {
  const where = shard.location === null ? "" : ` → ${displayPath(shard.location)}`
  const lines = [style.bold(`${shard.shard} (${shard.model})${where}`)]
  for (const step of shard.migrationsApplied) lines.push(style.dim(`  migrated ${step.model} to v${step.version}: ${step.description}`))
  for (const record of shard.records) lines.push(...renderRecord(shard, primaryKey, record))
  const { processed, inserted, invalid, failed } = shard.counts
  lines.push(`  ${inserted}/${processed} inserted, ${invalid} invalid, ${failed} failed ${style.dim(`in ${shard.durationMs} ms`)}`)
  if (shard.error !== null) lines.push(style.red(`  shard failed during ${shard.error.operation}: ${shard.error.message}`))
  return lines
}

const renderSummary = (report: RunReport): Array<string> => {
  const { summary } = report
  const width = Math.max(...report.shards.map((shard) => `${shard.shard} (${shard.model})`.length))
  const perShard = report.shards.map((shard) => {
    const name = `${shard.shard} (${shard.model})`.padEnd(width)
    const outcome = shard.error === null ? "" : style.red(`  failed: ${shard.error.operation}`)
    return `  ${name}  ${shard.counts.inserted}/${shard.counts.processed} successful${outcome}`
  })
  return [
    style.bold("Final Output Analysis"),
    ...perShard,
    "",
    `  Total records processed: ${summary.processed}`,
    `  Successful insertions:   ${summary.inserted} (${percent(summary.inserted, summary.processed)} success rate)`,
    `  Validation failures:     ${summary.invalid} (${percent(summary.invalid, summary.processed)})`,
    `  Database errors:         ${summary.failed} (${percent(summary.failed, summary.processed)})`,
    ...(summary.failedShards > 0 ? [style.red(`  Shards that failed:      ${summary.failedShards} of ${summary.shards}`)] : [])
  ]
}

/**
 * The human report: every shard in registration order with each record and its reasons, then
 * the seed's "Final Output Analysis". Built whole before printing, so shards never interleave.
 */
export const renderPopulateReport = (report: RunReport, primaryKeys: ReadonlyMap<string, string>): string =>
  [...report.shards.flatMap((shard) => [...renderShard(shard, primaryKeys.get(shard.shard)), ""]), ...renderSummary(report)].join("\n")
