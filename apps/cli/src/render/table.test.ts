import { describe, expect, it } from "vitest"
import { renderTable } from "./table.ts"

describe("renderTable", () => {
  it("right-aligns a column of numbers, also where a row has none ('-'), and left-aligns text", () => {
    const table = renderTable(
      ["SHARD", "ROWS", "STATUS"],
      [
        ["users", 269867, "ok"],
        ["products", "-", "file is not a database"],
        ["orders", 9, "-"]
      ]
    )
    expect(table.split("\n")).toEqual([
      "SHARD       ROWS  STATUS",
      "users     269867  ok",
      "products       -  file is not a database",
      "orders         9  -"
    ])
  })

  it("keeps a column of text left-aligned, even when every cell is '-'", () => {
    expect(renderTable(["A", "B"], [["x", "-"], ["yy", "-"]]).split("\n")).toEqual(["A   B", "x   -", "yy  -"])
  })
})
