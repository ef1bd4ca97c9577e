import { createReadStream } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { readNdjson } from "./ndjson.ts"
import { MAX_CHUNK_ITEMS } from "./source-chunks.ts"
import { bytesStreamOf, drain, endlessStream, itemsOf, record, streamOf, withLatin1, withTempDir } from "./testing.ts"

describe("readNdjson", () => {
  it("reads one record per line, each with its line number", async () => {
    const text = '{"id":1,"name":"Alice"}\n{"id":2,"name":"Bob"}\n'
    expect(await itemsOf(readNdjson(streamOf(text)))).toEqual([record(1, { id: 1, name: "Alice" }), record(2, { id: 2, name: "Bob" })])
  })

  it("skips blank lines but counts them", async () => {
    const text = '\n{"id":1}\n\n   \n\t\n{"id":2}\n\n'
    expect(await itemsOf(readNdjson(streamOf(text)))).toEqual([record(2, { id: 1 }), record(6, { id: 2 })])
  })

  it("reads CRLF line ends, and a last line without one", async () => {
    const text = '{"id":1}\r\n\r\n{"id":2}\r\n{"id":3}'
    expect(await itemsOf(readNdjson(streamOf(text)))).toEqual([record(1, { id: 1 }), record(3, { id: 2 }), record(4, { id: 3 })])
  })

  it("reports a line that is not JSON with its line number and the parser's reason, and reads on", async () => {
    const text = '{"id":1}\n{"id":2,}\nnot json\n{"id":4}\n'
    const items = await itemsOf(readNdjson(streamOf(text)))
    expect(items.map((item) => [item._tag, item.line])).toEqual([
      ["Record", 1],
      ["Malformed", 2],
      ["Malformed", 3],
      ["Record", 4]
    ])
    expect(items[1]).toMatchObject({ reason: expect.stringMatching(/^malformed JSON: \S/) })
    expect(items[2]).toMatchObject({ reason: expect.stringMatching(/^malformed JSON: .*(token|valid JSON)/) })
  })

  it("keeps a line whose JSON is not an object as a record: validation says what is wrong with it", async () => {
    expect(await itemsOf(readNdjson(streamOf('[1,2]\n42\n"text"\nnull\n')))).toEqual([
      record(1, [1, 2]),
      record(2, 42),
      record(3, "text"),
      record(4, null)
    ])
  })

  it("drops a byte order mark and keeps characters split between two chunks whole", async () => {
    const text = '\uFEFF{"name":"Zoë 😀"}\n{"name":"日本"}\n'
    for (const size of [1, 2, 3, 5]) {
      expect(await itemsOf(readNdjson(streamOf(text, size)))).toEqual([record(1, { name: "Zoë 😀" }), record(2, { name: "日本" })])
    }
  })

  it("reads the same items however the input is cut into chunks", async () => {
    const line = fc.oneof(
      fc.json().map((json) => json.replace(/\n/g, " ")),
      fc.constantFrom("", "  ", "\r", "{oops", '{"a":')
    )
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 20 }), fc.constantFrom("\n", "\r\n"), fc.integer({ min: 1, max: 64 }), async (lines, end, size) => {
        const text = lines.join(end)
        expect(await itemsOf(readNdjson(streamOf(text, size)))).toEqual(await itemsOf(readNdjson(streamOf(text))))
      })
    )
  })

  it("yields chunks of at most MAX_CHUNK_ITEMS records, however large the input's chunks", async () => {
    const count = MAX_CHUNK_ITEMS * 2 + 10
    const text = Array.from({ length: count }, (_, index) => `{"id":${index + 1}}`).join("\n")
    const { items, chunks } = await drain(readNdjson(streamOf(text)))
    expect(items).toHaveLength(count)
    expect(items.at(-1)).toEqual(record(count, { id: count }))
    expect(Math.max(...chunks)).toBeLessThanOrEqual(MAX_CHUNK_ITEMS)
  })

  it("rejects a line holding bytes that are not UTF-8 alone, showing its text, however the input is cut", async () => {
    const bytes = withLatin1('{"id":1,"name":"Zoë"}\n{"id":2,"name":"', "café", '"}\n{"id":3,"name":"日本"}\n')
    for (const size of [1, 2, 3, 7, 64]) {
      expect(await itemsOf(readNdjson(bytesStreamOf(bytes, size)))).toEqual([
        record(1, { id: 1, name: "Zoë" }),
        {
          _tag: "Malformed",
          line: 2,
          rule: "invalid-utf8",
          reason: expect.stringMatching(/^invalid UTF-8: byte 0xE9 \(character 20 of the record\)/),
          text: '{"id":2,"name":"caf\uFFFD"}'
        },
        record(3, { id: 3, name: "日本" })
      ])
    }
  })

  it("rejects, line by line, what JSON.parse would take but store otherwise, and reads on", async () => {
    const lines = ['{"id":1,"id":2}', '{"id":9007199254740993}', '{"id":1e-400}', `{"id":${"[".repeat(5000)}${"]".repeat(5000)}}`, '{"id":5}']
    const items = await itemsOf(readNdjson(streamOf(lines.join("\n"))))
    expect(items.map((item) => (item._tag === "Record" ? item.value : [item.rule, item.field]))).toEqual([
      ["duplicate-key", "id"],
      ["inexact-number", "id"],
      ["inexact-number", "id"],
      ["too-deep", "id"],
      { id: 5 }
    ])
    expect(items[1]).toMatchObject({ reason: expect.stringContaining("9007199254740993"), text: '{"id":9007199254740993}' })
  })

  it("stops at a line longer than the limit, showing its start, and closes an input that never ends", async () => {
    const zeros = endlessStream(Buffer.alloc(1000))
    const { items } = await drain(readNdjson(zeros.stream, { maxLineLength: 10_000 }))
    expect(items).toEqual([
      { _tag: "Malformed", line: 1, rule: "too-long", reason: expect.stringMatching(/longer than 10,000 characters.*reading stopped here/), text: `${"\u0000".repeat(1000)}…` }
    ])
    expect(zeros.closed()).toBe(true)
  })

  it("stops at the first line over the limit, after the lines before it, wherever the chunks are cut", async () => {
    const text = `{"id":1}\n{"id":2,"name":"${"x".repeat(40)}"}\n{"id":3}\n`
    for (const size of [1, 5, 1000]) {
      expect(await itemsOf(readNdjson(streamOf(text, size), { maxLineLength: 30 }))).toEqual([
        record(1, { id: 1 }),
        expect.objectContaining({ _tag: "Malformed", line: 2, rule: "too-long" })
      ])
    }
  })

  it("reads a file", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "users.ndjson")
      await writeFile(path, '{"id":1}\n\n{"id":2}\n')
      expect(await itemsOf(readNdjson(createReadStream(path)))).toEqual([record(1, { id: 1 }), record(3, { id: 2 })])
    }))
})
