/** A cell that stands for no number in a column of numbers (a shard that could not be read). */
const NO_NUMBER = "-"

/** Left-aligned columns separated by two spaces; columns of numbers (and `-`) are right-aligned. */
export const renderTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): string => {
  const cells = [header, ...rows.map((row) => row.map(String))]
  const numeric = header.map(
    (_, column) =>
      rows.some((row) => typeof row[column] === "number") && rows.every((row) => typeof row[column] === "number" || row[column] === NO_NUMBER)
  )
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)))
  return cells
    .map((row) =>
      row
        .map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}
