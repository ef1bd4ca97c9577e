import { extname } from "node:path"
import { Result } from "effect"
import { InputError } from "./input-error.ts"

/** The input formats: NDJSON (JSON Lines), one JSON array, or CSV with a header row. */
export const INPUT_FORMATS = ["ndjson", "json", "csv"] as const

export type InputFormat = (typeof INPUT_FORMATS)[number]

const formatByExtension: ReadonlyMap<string, InputFormat> = new Map([
  [".ndjson", "ndjson"],
  [".jsonl", "ndjson"],
  [".json", "json"],
  [".csv", "csv"]
])

/** The format a file's extension (any case) stands for, or an `InputError` listing the known ones. */
export const formatOfPath = (path: string): Result.Result<InputFormat, InputError> => {
  const extension = extname(path).toLowerCase()
  const format = formatByExtension.get(extension)
  if (format !== undefined) return Result.succeed(format)
  const known = [...formatByExtension.keys()].join(", ")
  const found = extension === "" ? "it has no extension" : `${extension} is not a known extension`
  return Result.fail(
    new InputError({
      origin: path,
      reason: `cannot tell its format: ${found}; use one of ${known}, or name the format (${INPUT_FORMATS.join(", ")})`
    })
  )
}
