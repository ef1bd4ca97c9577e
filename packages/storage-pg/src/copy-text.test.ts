import { describe, expect, it } from "@effect/vitest"
import { copyField, copyText, numberText, parameterText, unstorableText } from "./copy-text.ts"

describe("COPY text format", () => {
  it("escapes exactly backslash, newline, carriage return and tab", () => {
    expect(copyField("a\\b\nc\rd\te")).toBe("a\\\\b\\nc\\rd\\te")
    expect(copyField("\\.")).toBe("\\\\.")
    expect(copyField("quotes ' \" ` , ; | ünïcödé 😀")).toBe("quotes ' \" ` , ; | ünïcödé 😀")
  })

  it("writes NULL as \\N and the empty string as nothing, and the text \\N escaped", () => {
    expect(copyField(null)).toBe("\\N")
    expect(copyField("")).toBe("")
    expect(copyField("\\N")).toBe("\\\\N")
  })

  it("writes numbers in their shortest round-trip form, -0 included", () => {
    expect(numberText(0.1)).toBe("0.1")
    expect(numberText(-0)).toBe("-0")
    expect(numberText(1e308)).toBe("1e+308")
    expect(numberText(Number.MAX_SAFE_INTEGER)).toBe("9007199254740991")
    expect(numberText(5e-324)).toBe("5e-324")
    for (const value of [0.1 + 0.2, Math.PI, -1.7976931348623157e308, 123456.789]) expect(Number(numberText(value))).toBe(value)
  })

  it("writes bytes as bytea hex, its backslash doubled for COPY but not for a parameter", () => {
    expect(copyField(new Uint8Array([0, 15, 255]))).toBe("\\\\x000fff")
    expect(parameterText(new Uint8Array([0, 15, 255]))).toBe("\\x000fff")
    expect(parameterText(-0)).toBe("-0")
    expect(parameterText(null)).toBeNull()
  })

  it("writes one line per row, led by its index, leaving out the skipped rows", () => {
    const rows = [
      [1, "a\tb", null],
      [2, "skipped", 1],
      [3, "", 2.5]
    ]
    expect(copyText(rows, 3, (index) => index === 1, true).toString("utf8")).toBe("0\t1\ta\\tb\t\\N\n2\t3\t\t2.5\n")
    expect(copyText(rows, 3, (index) => index === 1, false).toString("utf8")).toBe("1\ta\\tb\t\\N\n3\t\t2.5\n")
  })

  it("finds the text PostgreSQL cannot take: NUL and lone surrogates, not surrogate pairs or a byte order mark", () => {
    expect(unstorableText("a\u0000b")).toContain("NUL")
    expect(unstorableText("lone \uD800")).toContain("surrogate")
    expect(unstorableText("\uDC00 lone low")).toContain("surrogate")
    expect(unstorableText("pair 😀")).toBeUndefined()
    expect(unstorableText("\uFEFF leading byte order mark")).toBeUndefined()
    expect(unstorableText(42)).toBeUndefined()
  })
})
