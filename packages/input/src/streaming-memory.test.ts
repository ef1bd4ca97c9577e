import { execFile } from "node:child_process"
import { open, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { build } from "tsup"
import { withTempDir } from "./testing.ts"

/**
 * The readers must stream: read through them, an input several times larger than the heap a
 * process is allowed must go through without running out of memory. The readers run in a
 * child Node process with a small heap, bundled from their TypeScript sources by tsup.
 */

const HEAP_MB = 48
const RECORDS_PER_BLOCK = 10_000
const BLOCKS = 250

const childSource = (readers: { readonly ndjson: string; readonly json: string }) => `
import { createReadStream } from "node:fs"
import { readJsonArray } from ${JSON.stringify(readers.json)}
import { readNdjson } from ${JSON.stringify(readers.ndjson)}

const [format, path] = process.argv.slice(2)
const read = format === "json" ? readJsonArray : readNdjson
let records = 0
let malformed = 0
for await (const chunk of read(createReadStream(path))) {
  for (const item of chunk) {
    if (item._tag === "Record") records += 1
    else malformed += 1
  }
}
console.log(JSON.stringify({ records, malformed }))
`

const bundleChild = async (dir: string): Promise<string> => {
  const entry = join(dir, "count-records.ts")
  await writeFile(
    entry,
    childSource({
      ndjson: fileURLToPath(new URL("./ndjson.ts", import.meta.url)),
      json: fileURLToPath(new URL("./json-array.ts", import.meta.url))
    })
  )
  await build({
    entry: [entry],
    outDir: dir,
    format: ["esm"],
    platform: "node",
    target: "node22",
    outExtension: () => ({ js: ".mjs" }),
    config: false,
    silent: true,
    // The child runs from a temp folder, where no package can be found: everything is bundled.
    noExternal: [/^@distributed-insert\//, /^effect/],
    esbuildOptions: (options) => {
      options.conditions = ["source"]
    }
  })
  return join(dir, "count-records.mjs")
}

/** Writes `BLOCKS` blocks of `RECORDS_PER_BLOCK` records as NDJSON or one JSON array; returns its size in bytes. */
const writeRecords = async (path: string, format: "ndjson" | "json"): Promise<number> => {
  const records = Array.from({ length: RECORDS_PER_BLOCK }, (_, index) =>
    JSON.stringify({ id: index + 1, name: `user ${index + 1}`, email: `user${index + 1}@example.com`, note: "x".repeat(20) })
  )
  const block = records.join(format === "json" ? ",\n" : "\n")
  const file = await open(path, "w")
  try {
    let size = 0
    const write = async (text: string) => {
      size += (await file.write(text)).bytesWritten
    }
    if (format === "json") await write("[\n")
    for (let index = 0; index < BLOCKS; index++) await write(index === 0 ? block : format === "json" ? `,\n${block}` : `\n${block}`)
    await write(format === "json" ? "\n]\n" : "\n")
    return size
  } finally {
    await file.close()
  }
}

// The limit is generous on purpose: this test is about memory, not speed, and on a busy 2-core
// machine (CI beside other test runs) one format has taken more than a minute.
const TIMEOUT_MS = 300_000

describe("streaming", () => {
  for (const format of ["ndjson", "json"] as const) {
    it(
      `reads ${format === "json" ? "a JSON array" : "NDJSON"} several times larger than a ${HEAP_MB} MB heap`,
      () =>
        withTempDir(async (dir) => {
          const child = await bundleChild(dir)
          const path = join(dir, `records.${format}`)
          const size = await writeRecords(path, format)
          expect(size).toBeGreaterThan(3 * HEAP_MB * 1024 * 1024)
          const { stdout } = await promisify(execFile)(process.execPath, [`--max-old-space-size=${HEAP_MB}`, child, format, path])
          expect(JSON.parse(stdout)).toEqual({ records: RECORDS_PER_BLOCK * BLOCKS, malformed: 0 })
        }),
      TIMEOUT_MS
    )
  }
})
