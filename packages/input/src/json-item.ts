import { type RecordProblem, shownText } from "@distributed-insert/shard"
import { checkJsonRecord } from "./json-record-check.ts"
import type { SourceItem } from "./record-source.ts"
import { invalidUtf8Problem } from "./strict-utf8.ts"

/**
 * The record that `text` (one JSON value, starting on `line`) holds, or why it is not one.
 * Any JSON value is a record here, objects or not: validation says what is wrong with `42`.
 * Refused here, with the text shown in the record's place: bytes that were not UTF-8 (when
 * `checkEncoding`, which the reader sets once its decoder met some), text that is not JSON,
 * and what `checkJsonRecord` finds (a key given twice, a number that does not read back as
 * written, a record beyond the bounds).
 */
export const jsonItem = (text: string, line: number, checkEncoding = false): SourceItem => {
  if (checkEncoding) {
    const problem = invalidUtf8Problem(text)
    if (problem !== undefined) return unreadable(text, line, problem)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return unreadable(text, line, { rule: "malformed", reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` })
  }
  const problem = checkJsonRecord(text, value)
  return problem === undefined ? { _tag: "Record", line, value } : unreadable(text, line, problem)
}

/** A `Malformed` item for the record whose text is `text`, rejected for `problem`. */
export const unreadable = (text: string, line: number, problem: RecordProblem): SourceItem => ({
  _tag: "Malformed",
  line,
  reason: problem.reason,
  rule: problem.rule,
  ...(problem.field === undefined ? {} : { field: problem.field }),
  text: shownText(text)
})
