import { createReadStream } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { readJsonArray } from "./json-array.ts"
import { JsonArrayScanner } from "./json-array-scanner.ts"
import type { SourceItem } from "./record-source.ts"
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

  it("does not let an element with a bracket or a quote missing, or a bracket too many, swallow the records after it", async () => {
    // One record per line, or pretty-printed: a broken record is reported, every other one loads.
    expect(await read('[\n{"id":1,"name":"a"},\n{"id":2,"name":"b",\n{"id":3,"name":"c"},\n{"id":4,"name":"d}\n{"id":5,"name":"e"}\n]')).toEqual([
      record(2, { id: 1, name: "a" }),
      malformed(3, /^malformed JSON/),
      record(4, { id: 3, name: "c" }),
      malformed(5, /^malformed JSON/),
      record(6, { id: 5, name: "e" })
    ])
    // A closing bracket of the wrong kind ends the element; the stray one after it is reported too.
    expect(await read('[{"id":1]},{"id":2}]')).toEqual([
      malformed(1, /^malformed JSON/),
      malformed(1, /expected ','/),
      malformed(1, /^malformed JSON/),
      record(1, { id: 2 })
    ])
    // A ']' too many looks like the array's end; the comma after it shows it was not.
    expect(await read('[\n{"id":1}],\n{"id":2},\n{"id":3}]]\n]')).toEqual([
      record(2, { id: 1 }),
      malformed(2, /a '\]' that closes nothing/),
      record(3, { id: 2 }),
      record(4, { id: 3 }),
      malformed(4, /^unexpected text after the end of the array: "\]"$/)
    ])
  })

  it("accounts for every record when some lose a bracket or a quote, or have one too many: loaded, or inside a reported element", async () => {
    const good = fc.record({ id: fc.nat(), name: fc.string({ unit: fc.constantFrom("a", "b", " ", ",", ":", "{", "]", '\\"') }), tags: fc.array(fc.nat(), { maxLength: 2 }) })
    const breakage = fc.constantFrom("none", "none", "none", "closing brace", "closing quote", "opening brace", "extra closing brace", "extra closing bracket")
    const layout = fc.constantFrom("one per line", "pretty", "compact")
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(good, breakage), { minLength: 1, maxLength: 8 }), layout, fc.integer({ min: 1, max: 50 }), async (elements, shape, size) => {
        const texts = elements.map(([value, broken]) => breakRecord(JSON.stringify(value, null, shape === "pretty" ? 2 : undefined), broken))
        const separator = shape === "compact" ? "," : ",\n"
        const text = `[${shape === "compact" ? "" : "\n"}${texts.join(separator)}${shape === "compact" ? "" : "\n"}]`
        const items = await read(text, size)
        // Where each element starts, in lines.
        let line = shape === "compact" ? 1 : 2
        const starts = texts.map((element) => {
          const start = line
          line += (element.match(/\n/g) ?? []).length + (shape === "compact" ? 0 : 1)
          return start
        })
        const reported = items.flatMap((item) => (item._tag === "Malformed" ? [linesOf(item.line, item.reason)] : []))
        elements.forEach(([value, broken], index) => {
          if (broken !== "none") return
          const start = starts[index] ?? 0
          const loaded = items.some((item) => item._tag === "Record" && item.line === start && JSON.stringify(item.value) === JSON.stringify(value))
          const covered = reported.some(([first, last]) => first <= start && start <= last)
          expect(loaded || covered).toBe(true)
          // With a record per line, or pretty-printed, nothing good is lost at all.
          if (shape !== "compact") expect(loaded).toBe(true)
        })
      }),
      { numRuns: 300 }
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

/** `json` (one record's text) with one character taken out or one too many, as a hand edit or a truncation would. */
const breakRecord = (json: string, breakage: string): string => {
  switch (breakage) {
    case "closing brace":
      return json.slice(0, json.lastIndexOf("}"))
    case "closing quote": {
      // The quote that closes the name's value.
      const nameStart = json.indexOf('"name"')
      const valueQuote = json.indexOf('"', json.indexOf(":", nameStart) + 1)
      let close = valueQuote + 1
      while (json[close] !== '"') close += json[close] === "\\" ? 2 : 1
      return json.slice(0, close) + json.slice(close + 1)
    }
    case "opening brace":
      return json.slice(json.indexOf("{") + 1)
    case "extra closing brace":
      return `${json}}`
    case "extra closing bracket":
      return `${json}]`
    default:
      return json
  }
}

/** The lines a malformed item covers: from its line to the last one its reason names, if it spans several. */
const linesOf = (line: number, reason: string): readonly [number, number] => {
  const span = /\(this element runs from line (\d+) to line (\d+)\)/.exec(reason)
  return [line, span === null ? line : Number(span[2])]
}
