import type { SourceItem } from "../record-source.ts"

/**
 * The record that `text` (one JSON value, starting on `line`) holds, or why it is not JSON.
 * Any JSON value is a record here, objects or not: validation says what is wrong with `42`.
 */
export const jsonItem = (text: string, line: number): SourceItem => {
  try {
    return { _tag: "Record", line, value: JSON.parse(text) }
  } catch (error) {
    return { _tag: "Malformed", line, reason: `malformed JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}
