import { chmod, mkdir, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { formatOfPath } from "./format.ts"
import { InputError } from "./input-error.ts"
import { openInput } from "./open-input.ts"
import type { ShardInput } from "./record-source.ts"
import { itemsOf, record, streamOf, withTempDir } from "./testing.ts"

const open = (...args: Parameters<typeof openInput>) => Effect.runPromise(Effect.result(openInput(...args)))

const opened = async (...args: Parameters<typeof openInput>): Promise<ShardInput> =>
  Result.getOrThrowWith(await open(...args), (error) => new Error(`expected the input to open: ${error.message}`))

const failure = async (...args: Parameters<typeof openInput>): Promise<InputError> =>
  Result.getOrThrowWith(Result.flip(await open(...args)), () => new Error("expected the input to fail"))

describe("formatOfPath", () => {
  it.each([
    ["users.ndjson", "ndjson"],
    ["users.jsonl", "ndjson"],
    ["dir.v2/users.json", "json"],
    ["USERS.CSV", "csv"]
  ])("reads %s as %s", (path, format) => {
    expect(formatOfPath(path)).toEqual(Result.succeed(format))
  })

  it.each([
    ["users.txt", ".txt is not a known extension"],
    ["users.csv.gz", ".gz is not a known extension"],
    ["users", "it has no extension"]
  ])("refuses %s, naming the path and the known extensions", (path, why) => {
    const error = Result.getOrThrow(Result.flip(formatOfPath(path)))
    expect(error).toBeInstanceOf(InputError)
    expect(error.origin).toBe(path)
    expect(error.message).toBe(`cannot read input ${path}: cannot tell its format: ${why}; use one of .ndjson, .jsonl, .json, .csv, or name the format (ndjson, json, csv)`)
  })
})

describe("openInput", () => {
  it("reads each format by its extension; CSV values arrive as text", () =>
    withTempDir(async (dir) => {
      const files = {
        "users.ndjson": '{"id":1}\n',
        "users.jsonl": '{"id":1}\n',
        "users.json": '[\n{"id":1}\n]',
        "users.csv": "id\n1\n"
      }
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
      const read = async (name: string) => {
        const input = await opened(join(dir, name))
        return { origin: input.origin, textValues: input.textValues, items: await itemsOf(input.source) }
      }
      expect(await read("users.ndjson")).toEqual({ origin: join(dir, "users.ndjson"), textValues: false, items: [record(1, { id: 1 })] })
      expect(await read("users.jsonl")).toEqual({ origin: join(dir, "users.jsonl"), textValues: false, items: [record(1, { id: 1 })] })
      expect(await read("users.json")).toEqual({ origin: join(dir, "users.json"), textValues: false, items: [record(2, { id: 1 })] })
      expect(await read("users.csv")).toEqual({ origin: join(dir, "users.csv"), textValues: true, items: [record(2, { id: "1" })] })
    }))

  it("reads the format it is given, whatever the extension", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "export.txt")
      await writeFile(path, "id,name\n7,Grace\n")
      const input = await opened(path, "csv")
      expect(input.textValues).toBe(true)
      expect(await itemsOf(input.source)).toEqual([record(2, { id: "7", name: "Grace" })])
    }))

  it("reads stdin for -, as NDJSON unless told otherwise", async () => {
    const ndjson = await opened("-", undefined, streamOf('{"id":1}\n\n{"id":2}', 3))
    expect(ndjson.origin).toBe("stdin")
    expect(ndjson.progress?.().total).toBeNull()
    expect(await itemsOf(ndjson.source)).toEqual([record(1, { id: 1 }), record(3, { id: 2 })])

    const csv = await opened("-", "csv", streamOf("id\n1\n"))
    expect(csv.textValues).toBe(true)
    expect(await itemsOf(csv.source)).toEqual([record(2, { id: "1" })])
  })

  it("refuses an unknown extension before reading anything", async () => {
    const error = await failure("/nowhere/users.xml")
    expect(error.message).toMatch(/^cannot read input \/nowhere\/users\.xml: cannot tell its format: \.xml is not a known extension; use one of/)
  })

  it("refuses a missing file or a directory up front, naming it", () =>
    withTempDir(async (dir) => {
      const missing = join(dir, "missing.csv")
      expect((await failure(missing)).message).toBe(`cannot read input ${missing}: no such file`)
      const folder = join(dir, "folder.json")
      await mkdir(folder)
      expect((await failure(folder)).message).toBe(`cannot read input ${folder}: it is a directory, not a file`)
    }))

  it("fails the reading with an InputError naming the file when it cannot be read any more", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "users.ndjson")
      await writeFile(path, '{"id":1}\n')
      const input = await opened(path)
      await rm(path)
      const error = await itemsOf(input.source).then(
        () => null,
        (cause: unknown) => cause
      )
      expect(error).toBeInstanceOf(InputError)
      expect(error).toMatchObject({ origin: path, message: `cannot read input ${path}: no such file` })
    }))

  it.skipIf(process.getuid?.() === 0)("refuses a file it may not read, when reading starts", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "secret.csv")
      await writeFile(path, "id\n1\n")
      await chmod(path, 0o000)
      const input = await opened(path)
      await expect(itemsOf(input.source)).rejects.toThrow(`cannot read input ${path}: permission denied`)
    }))

  it("reports progress in bytes of the file's size, and reads the file anew each time", () =>
    withTempDir(async (dir) => {
      const path = join(dir, "users.ndjson")
      const text = Array.from({ length: 50_000 }, (_, index) => JSON.stringify({ id: index + 1, name: `user ${index + 1}` })).join("\n")
      await writeFile(path, text)
      const size = Buffer.byteLength(text)
      const input = await opened(path)
      expect(input.progress?.()).toEqual({ done: 0, total: size })
      const seen: Array<number> = []
      let count = 0
      for await (const chunk of input.source) {
        count += chunk.length
        seen.push(input.progress?.().done ?? -1)
      }
      expect(count).toBe(50_000)
      expect(seen.some((done) => done > 0 && done < size)).toBe(true)
      expect(seen).toEqual([...seen].sort((a, b) => a - b))
      expect(input.progress?.()).toEqual({ done: size, total: size })
      expect((await itemsOf(input.source)).length).toBe(50_000)
    }))

  it("wraps an error of stdin in an InputError naming stdin", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("broken pipe"))
      }
    })
    await expect(itemsOf((await opened("-", "json", failing)).source)).rejects.toThrow(new InputError({ origin: "stdin", reason: "broken pipe" }))
  })
})
