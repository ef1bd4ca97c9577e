import { readFile } from "node:fs/promises"

/** What a `--report` file says is durable, per shard: the highest checkpoint marker's `through`. */
export const durableThroughByShard = async (path: string): Promise<ReadonlyMap<string, number>> => {
  const text = await readFile(path, "utf8").catch(() => "")
  const durable = new Map<string, number>()
  // A kill can cut the last write short: an unterminated last line is not part of the report.
  const complete = text.slice(0, text.lastIndexOf("\n") + 1)
  for (const line of complete.split("\n")) {
    if (line === "") continue
    const parsed: { readonly shard: string; readonly checkpoint?: { readonly through: number } } = JSON.parse(line)
    if (parsed.checkpoint !== undefined) durable.set(parsed.shard, Math.max(durable.get(parsed.shard) ?? 0, parsed.checkpoint.through))
  }
  return durable
}
