import { createReadStream } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import type { SourceItem } from "../record-source.ts"
import { readJsonArray } from "./json-array.ts"
import { JsonArrayScanner } from "./json-array-scanner.ts"
import { drain, itemsOf, record, streamOf, withTempDir } from "./testing.ts"

const read = (text: string, size?: number) => itemsOf(readJsonArray(streamOf(text, size)))

const malformed = (line: number, reason: RegExp) => expect.objectContaining({ _tag: "Malformed", line, reason: expect.stringMatching(reason) })

describe("readJsonArray", () => {
  it("reads each element of the array as a record on the line it starts on", async () => {
    const text = '[\n  {"id": 1, "name": "Alice"},\n  {\n    "id": 2,\n    "name": "Bob"\n  }\n]\n'
    expect(await read(text)).toEqual([record(2, { id: 1, name: "Alice" }), record(3, { id: 2, name: "Bob" })])
  })

  it("reads a compact array, an empty array and an empty input", async () => {
    expect(await read('[{"id":1},{"id":2}]')).toEqual([record(1, { id: 1 }), record(1, { id: 2 })])
    expect(await read(" [ ] \n")).toEqual([])
    expect(await read("")).toEqual([])
  })

  it("finds element boundaries despite brackets, commas and escaped quotes inside strings", async () => {
    const tricky = { name: 'a "quoted" ] } , [ { name \\', nested: { list: [1, [2, { x: "}" }]] } }
    const text = `[${JSON.stringify(tricky)},\r\n${JSON.stringify({ id: 2 })}]`
    expect(await read(text)).toEqual([record(1, tricky), record(2, { id: 2 })])
  })

  it("keeps elements that are not objects as records: validation says what is wrong with them", async () => {
    expect(await read('[1, -2.5e3, "text", true, null, [1, 2]]')).toEqual([
      record(1, 1),
      record(1, -2500),
      record(1, "text"),
      record(1, true),
      record(1, null),
      record(1, [1, 2])
    ])
  })

  it("reports a malformed element on the line it starts on, and reads on", async () => {
    const text = '[\n{"id": 1},\n{"id": 2,\n "name": }, \n{"id": 3},\n{"id": tru},\n{"id": 5}\n]'
    expect(await read(text)).toEqual([
      record(2, { id: 1 }),
      malformed(3, /^malformed JSON: \S/),
      record(5, { id: 3 }),
      malformed(6, /^malformed JSON: \S/),
      record(7, { id: 5 })
    ])
  })

  it("reports a missing comma, a trailing comma and an empty element, and reads on", async () => {
    expect(await read('[{"id":1}\n{"id":2}]')).toEqual([record(1, { id: 1 }), malformed(2, /expected ',' or ']'.*found "\{"/), record(2, { id: 2 })])
    expect(await read('[{"id":1},\n]')).toEqual([record(1, { id: 1 }), malformed(2, /trailing comma/)])
    expect(await read('[{"id":1},,{"id":3}]')).toEqual([record(1, { id: 1 }), malformed(1, /empty element/), record(1, { id: 3 })])
  })

  it("stops with one malformed item at text before or after the array", async () => {
    expect(await read('{"id":1}\n{"id":2}\n')).toEqual([malformed(1, /expected a JSON array of records \('\['\), found "\{"; for one record per line, use the NDJSON format/)])
    expect(await read('\n\nnope [{"id":1}]')).toEqual([malformed(3, /expected a JSON array of records \('\['\), found "n"$/)])
    expect(await read('[{"id":1}]\n\n[{"id":2}]\n')).toEqual([record(1, { id: 1 }), malformed(3, /^unexpected text after the end of the array: "\["$/)])
  })

  it("reports an input that ends inside the array", async () => {
    expect(await read('[{"id":1},\n{"id":2}\n')).toEqual([record(1, { id: 1 }), record(2, { id: 2 }), malformed(2, /missing '\]'/)])
    expect(await read('[{"id":1},\n{"id":2\n')).toEqual([record(1, { id: 1 }), malformed(2, /ends inside this element/)])
    expect(await read('[{"id":1}, {"name": "open')).toEqual([record(1, { id: 1 }), malformed(1, /ends inside this element/)])
    expect(await read("[1, 2")).toEqual([record(1, 1), record(1, 2), malformed(1, /missing '\]'/)])
  })

  it("stops at an element longer than the limit rather than hold the rest of the input", () => {
    const scanner = new JsonArrayScanner(10)
    const items: Array<SourceItem> = [...scanner.push('[{"id":1},\n{"id": [')]
    for (let piece = 0; piece < 5; piece++) items.push(...scanner.push(' {"unbalanced": 1}, '))
    items.push(...scanner.end())
    expect(items).toEqual([record(1, { id: 1 }), malformed(2, /longer than 10 characters.*reading stopped/)])
    expect(scanner.stopped).toBe(true)
  })

  it("reads the same values as JSON.parse, however the text is laid out and cut into chunks", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.constantFrom(undefined, 1, "\t", "    "),
        fc.integer({ min: 1, max: 40 }),
        async (values, indent, size) => {
          const text = JSON.stringify(values, null, indent)
          const expected = JSON.parse(text)
          const items = await read(text, size)
          expect(items.map((item) => (item._tag === "Record" ? item.value : item))).toEqual(expected)
          expect(items).toEqual(await read(text))
        }
      )
    )
  })

  it("stops reading the input once nothing more can be a record", async () => {
    let piecesRead = 0
    function* pieces() {
      yield '{"not": "an array"}\n'
      for (; piecesRead < 100; piecesRead++) yield Buffer.from('{"id": 1}\n')
    }
    const { items } = await drain(readJsonArray(Readable.from(pieces())))
    expect(items).toEqual([malformed(1, /expected a JSON array/)])
    expect(piecesRead).toBeLessThan(100)
  })

  it("reads a file", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "users.json")
      await writeFile(path, '[\n{"id":1},\n{"id":2}\n]\n')
      expect(await itemsOf(readJsonArray(createReadStream(path)))).toEqual([record(2, { id: 1 }), record(3, { id: 2 })])
    }))
})
