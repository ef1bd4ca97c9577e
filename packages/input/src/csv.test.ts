import { createReadStream } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Readable } from "node:stream"
import { MAX_RECORD_VALUES, MAX_SHOWN_TEXT } from "@distributed-insert/shard"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { readCsv } from "./csv.ts"
import type { SourceItem } from "./record-source.ts"
import { MAX_CHUNK_ITEMS } from "./source-chunks.ts"
import { bytesStreamOf, drain, endlessStream, itemsOf, record, streamOf, withLatin1, withTempDir } from "./testing.ts"

const read = (text: string, size?: number) => itemsOf(readCsv(streamOf(text, size)))

/** A `Malformed` item; `text`, when given, is what the report shows in the record's place. */
const malformed = (line: number, reason: string | RegExp, text?: string) =>
  expect.objectContaining({
    _tag: "Malformed",
    line,
    reason: typeof reason === "string" ? reason : expect.stringMatching(reason),
    ...(text === undefined ? {} : { text })
  })

describe("readCsv", () => {
  it("reads each row as an object keyed by the header, values kept as text, with its line number", async () => {
    const text = "id,name,price\n1,Laptop,1000.00\n2,Phone,700\n"
    expect(await read(text)).toEqual([
      record(2, { id: "1", name: "Laptop", price: "1000.00" }),
      record(3, { id: "2", name: "Phone", price: "700" })
    ])
  })

  it("reads quoted fields holding commas, quotes and line breaks, and numbers later rows by the file's lines", async () => {
    const text = 'id,name,note\n1,"Smith, Ann","says ""hi"""\n2,Bob,"two\nlines"\n3,"Carol","three\r\nlines\nhere"\n4,Dan,\n'
    expect(await read(text)).toEqual([
      record(2, { id: "1", name: "Smith, Ann", note: 'says "hi"' }),
      record(3, { id: "2", name: "Bob", note: "two\nlines" }),
      record(5, { id: "3", name: "Carol", note: "three\r\nlines\nhere" }),
      record(8, { id: "4", name: "Dan", note: "" })
    ])
  })

  it("reads CRLF line ends, skips blank lines but counts them, and reads a last line without a line end", async () => {
    const text = "\r\nid,name\r\n1,Alice\r\n\r\n\r\n2,\"Bob\r\nJr\"\r\n\r\n3,Carol"
    expect(await read(text)).toEqual([
      record(3, { id: "1", name: "Alice" }),
      record(6, { id: "2", name: "Bob\r\nJr" }),
      record(9, { id: "3", name: "Carol" })
    ])
  })

  it("reports a row with the wrong number of columns, with its line, and reads on", async () => {
    const text = 'id,name,email\n1,Alice,a@example.com\n2,Bob,b@example.com,extra\n3,"Carol\nC"\n4,Dan,d@example.com\n'
    expect(await read(text)).toEqual([
      record(2, { id: "1", name: "Alice", email: "a@example.com" }),
      malformed(3, "expected 3 columns (id, name, email), got 4", "2,Bob,b@example.com,extra"),
      malformed(4, "expected 3 columns (id, name, email), got 2", '3,"Carol\nC"'),
      record(6, { id: "4", name: "Dan", email: "d@example.com" })
    ])
  })

  it("keeps stray quotes as text when where the field ends is still clear", async () => {
    expect(await read('id,name\n1,5" screen\n2,"Bob"by\n')).toEqual([
      record(2, { id: "1", name: '5" screen' }),
      record(3, { id: "2", name: '"Bob"by' })
    ])
  })

  it("stops at a quote that is never closed, reported on the line its row starts on, with the text from there on", async () => {
    const text = 'id,name\n1,Alice\n2,"Bob\n3,Carol\n4,Dan\n'
    expect(await read(text)).toEqual([
      record(2, { id: "1", name: "Alice" }),
      malformed(3, "invalid CSV: a quote opened in this row is never closed; reading stopped here", '2,"Bob\n3,Carol\n4,Dan')
    ])
  })

  it("shows the text of a row it gave up on from its own line, whatever the line ends and chunks before it", async () => {
    // Rows in every line end, a quoted line break, a blank line, chunks of 1 to 5 bytes: the row
    // is found by its line, counted as the reader counts it.
    const text = 'id,name\r\n1,"Al\r\nice"\r2,Bo\n\r\n3,"Zoë\r\n4,Dan'
    for (const size of [1, 2, 3, 5, undefined]) {
      expect(await read(text, size)).toEqual([
        record(2, { id: "1", name: "Al\r\nice" }),
        record(4, { id: "2", name: "Bo" }),
        malformed(6, "invalid CSV: a quote opened in this row is never closed; reading stopped here", '3,"Zoë\r\n4,Dan')
      ])
    }
    // Thousands of rows first, read (and let go of) chunk by chunk as the reader goes.
    const endings = ["\n", "\r\n", "\r"]
    const rows = Array.from({ length: 5000 }, (_, index) => `${index},"n\r\n${index}"${endings[index % 3]}`).join("")
    const items = await read(`id,name\n${rows}9,"open\n10,x`, 64)
    expect(items.at(-1)).toEqual(malformed(10_002, /never closed/, '9,"open\n10,x'))
  })

  it("stops at a row longer than the limit, after the rows before it, showing its start as far as it was read", async () => {
    const text = `id,name\n1,Alice\n\n2,"${"x".repeat(40)}\n"\n3,Carol\n4,Dan\n`
    expect(await itemsOf(readCsv(streamOf(text, 7), { maxRowLength: 30 }))).toEqual([
      record(2, { id: "1", name: "Alice" }),
      malformed(4, "invalid CSV: this row is longer than 30 bytes (a quote never closed?); reading stopped here", expect.stringMatching(/^2,"x{20,}$/))
    ])
  })

  it("shows no more of a row it gave up on than the report shows of any text", async () => {
    const items = await itemsOf(readCsv(streamOf(`id,name\n1,"${"é".repeat(5000)}`, 4096)))
    expect(items).toEqual([malformed(2, /never closed/, `1,"${"é".repeat(MAX_SHOWN_TEXT - 3)}…`)])
  })

  it("refuses a header that names a column twice", async () => {
    expect(await read("id,name,id\n1,a,2\n3,b,4\n")).toEqual([malformed(1, 'the header names the column "id" twice')])
  })

  it("reads nothing from an empty input or a header alone, and drops a byte order mark", async () => {
    expect(await read("")).toEqual([])
    expect(await read("id,name\n")).toEqual([])
    expect(await read("\uFEFFid,name\n1,Zoë\n")).toEqual([record(2, { id: "1", name: "Zoë" })])
  })

  it("keeps a column named __proto__ as a column", async () => {
    const [item] = await read("id,__proto__\n1,x\n")
    expect(item?._tag === "Record" && Object.keys(item.value as object)).toEqual(["id", "__proto__"])
    expect(Object.getPrototypeOf(item?._tag === "Record" ? item.value : null)).toBe(Object.prototype)
  })

  it("reads the same items however the input is cut into chunks", async () => {
    const field = fc.oneof(fc.stringMatching(/^[a-z0-9 ]*$/), fc.string().map((text) => `"${text.replace(/"/g, '""')}"`))
    const row = fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => fields.join(","))
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 12 }), fc.constantFrom("\n", "\r\n"), fc.integer({ min: 1, max: 16 }), async (rows, end, size) => {
        const text = ["a,b,c", ...rows].join(end)
        expect(await read(text, size)).toEqual(await read(text))
      })
    )
  })

  it("reads rows ending in LF, CRLF or CR, mixed in any way, as the same rows on the same lines", async () => {
    const field = fc.oneof(fc.stringMatching(/^[a-z0-9 ]*$/), fc.string().map((text) => `"${text.replace(/"/g, '""')}"`))
    const row = fc.array(field, { minLength: 3, maxLength: 3 }).map((fields) => fields.join(","))
    const end = fc.constantFrom("\n", "\r\n", "\r")
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(row, end), { maxLength: 10 }), end, fc.integer({ min: 1, max: 16 }), async (rows, headerEnd, size) => {
        const mixed = `a,b,c${headerEnd}${rows.map(([text, lineEnd]) => text + lineEnd).join("")}`
        const uniform = `a,b,c\n${rows.map(([text]) => `${text}\n`).join("")}`
        const strip = (items: Array<SourceItem>) => items.map((item) => (item._tag === "Record" ? item : { ...item, text: undefined }))
        // Quoted fields keep their own line breaks; only the rows' ends vary.
        expect(strip(await read(mixed, size))).toEqual(strip(await read(uniform)))
      })
    )
    expect(await read("id,name\n1,Alice\r\n2,Bob\r\n")).toEqual([record(2, { id: "1", name: "Alice" }), record(3, { id: "2", name: "Bob" })])
    expect(await read("id,name\r\n1,Alice\n2,Bob\n\n3,Carol\r\n")).toEqual([
      record(2, { id: "1", name: "Alice" }),
      record(3, { id: "2", name: "Bob" }),
      record(5, { id: "3", name: "Carol" })
    ])
  })

  it("rejects a row holding bytes that are not UTF-8 alone, however the input is cut", async () => {
    const bytes = withLatin1("id,name\n1,Zoë\n2,", "café", "\n3,日本\n")
    for (const size of [1, 2, 5, 100]) {
      expect(await itemsOf(readCsv(bytesStreamOf(bytes, size)))).toEqual([
        record(2, { id: "1", name: "Zoë" }),
        { _tag: "Malformed", line: 3, rule: "invalid-utf8", reason: expect.stringMatching(/^invalid UTF-8: byte 0xE9/), text: "2,caf\uFFFD" },
        record(4, { id: "3", name: "日本" })
      ])
    }
  })

  it("stops at a row longer than the limit and closes an input that never ends", async () => {
    const endless = endlessStream(Buffer.from("x".repeat(1000)))
    const { items } = await drain(readCsv(endless.stream, { maxRowLength: 10_000 }))
    expect(items).toEqual([expect.objectContaining({ _tag: "Malformed", line: 1, rule: "too-long" })])
    expect(endless.closed()).toBe(true)
  })

  it(`stops at a header of more than ${MAX_RECORD_VALUES.toLocaleString("en-US")} columns`, async () => {
    const header = Array.from({ length: MAX_RECORD_VALUES + 1 }, (_, index) => `c${index}`).join(",")
    expect(await read(`${header}\n${header}\n`)).toEqual([malformed(1, /^the header has 10,001 columns, more than the 10,000 values/)])
  })

  it("yields chunks of at most MAX_CHUNK_ITEMS rows", async () => {
    const count = MAX_CHUNK_ITEMS * 2 + 10
    const text = `id\n${Array.from({ length: count }, (_, index) => index + 1).join("\n")}\n`
    const { items, chunks } = await drain(readCsv(streamOf(text)))
    expect(items).toHaveLength(count)
    expect(items.at(-1)).toEqual(record(count + 1, { id: String(count) }))
    expect(Math.max(...chunks)).toBeLessThanOrEqual(MAX_CHUNK_ITEMS)
  })

  it("fails with the input's own error when the input cannot be read", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk on fire"))
      }
    })
    await expect(itemsOf(readCsv(failing))).rejects.toThrow("disk on fire")
  })

  it("reads a file", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "products.csv")
      await writeFile(path, "id,name,price\r\n1,Laptop,1000.00\r\n")
      expect(await itemsOf(readCsv(createReadStream(path)))).toEqual([record(2, { id: "1", name: "Laptop", price: "1000.00" })])
    }))
})
