import { MAX_RECORD_LENGTH, shownStart } from "@distributed-insert/shard"
import { jsonItem } from "./json-item.ts"
import type { SourceItem } from "./record-source.ts"

const TAB = 9
const NEWLINE = 10
const RETURN = 13
const SPACE = 32
const QUOTE = 34
const COMMA = 44
const OPEN_BRACKET = 91
const BACKSLASH = 92
const CLOSE_BRACKET = 93
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const COLON = 58

/** Where the scan is in `[ element, element, ... ]`. */
type Phase =
  | "before-array"
  | "before-first-element"
  | "before-element"
  | "in-element"
  | "after-element"
  | "after-array"
  | "stopped"

/**
 * Finds the top-level elements of one JSON array in text that arrives in pieces, and hands
 * each element's text to `jsonItem` (`JSON.parse` and the record checks).
 *
 * This is a boundary scanner, not a JSON parser: it tracks only what decides where an element
 * ends (strings, their escapes, the brackets open) and leaves every other check to
 * `JSON.parse`, so an element is accepted exactly when `JSON.parse` accepts it. That is what
 * lets a large array stream: only the element being scanned is held, never the whole array.
 *
 * A malformed element becomes a `Malformed` item on the line it starts on, and the scan goes on
 * with the next element. A bracket or quote missing from one element must not swallow the
 * records after it, so the scan also ends an element where its text shows that it is broken
 * and the next record begins:
 *
 * - at a line break inside a string: JSON strings cannot hold one, so the string was never
 *   closed; it ends there, and the element goes on from the next line;
 * - at a `{` or `[` where no value can start (after an object's `{` or `,`, or right after a
 *   value): the element before it lacks its closing bracket, and this bracket starts the next
 *   element.
 *
 * A closing bracket of the wrong kind (`]` for `{`) closes the innermost one all the same, so
 * the element still ends where it was meant to, and a `]` followed by a comma closed no array
 * but was one too many: it is reported, and the elements after it are read. Whatever the scan
 * skips is inside some reported element: every record is loaded or reported. Other text before
 * the `[` or after the `]`, and an element longer than `maxElementLength`, stop the scan: past
 * them, element boundaries can no longer be trusted.
 */
export class JsonArrayScanner {
  private phase: Phase = "before-array"
  /** The line of the character being scanned (1-based). */
  private line = 1
  /** The brackets open in the current element, innermost last (`{` or `[`). */
  private open: Array<number> = []
  /** The last character outside strings in the current element, other than whitespace; a string counts as its quote. */
  private previous = 0
  private inString = false
  private escaped = false
  /** The current element is a bare number, `true`, `null`, ...: it ends at the next delimiter. */
  private bare = false
  private elementLine = 0
  /** The current element's text from earlier pieces, when it spans several. */
  private elementParts: Array<string> = []
  private elementPartsLength = 0
  /** The line of the `]` that ended the array, should the text after it show that it did not. */
  private closeLine = 0
  /** Whether the text so far ends with a line break, so the last line is the one before. */
  private endsWithNewline = false

  /** Whether the text may hold escaped bytes that were not UTF-8 (see `StrictUtf8Decoder`), to look for in each element. */
  private checkEncoding = false

  private readonly maxElementLength: number

  constructor(maxElementLength: number = MAX_RECORD_LENGTH) {
    this.maxElementLength = maxElementLength
  }

  /** True once nothing more can be read from this input; later text is ignored. */
  get stopped(): boolean {
    return this.phase === "stopped"
  }

  /**
   * Scans the next piece of text; returns the items it completed, in order. `checkEncoding`:
   * the text, or text before it, held bytes that were not UTF-8.
   */
  push(text: string, checkEncoding = false): Array<SourceItem> {
    const items: Array<SourceItem> = []
    if (this.stopped || text.length === 0) return items
    this.checkEncoding = checkEncoding
    this.endsWithNewline = text.charCodeAt(text.length - 1) === NEWLINE
    let elementStart = 0
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index)
      if (this.phase === "in-element") {
        if (this.inString) {
          if (this.escaped) this.escaped = false
          else if (code === BACKSLASH) this.escaped = true
          else if (code === QUOTE) {
            this.inString = false
            this.previous = QUOTE
            if (this.open.length === 0) this.finishElement(text, elementStart, index + 1, items)
          } else if (code === NEWLINE) {
            // A string never closed: it ends with its line, and the element goes on after it.
            this.inString = false
            this.previous = QUOTE
            this.line += 1
            if (this.open.length === 0) this.finishElement(text, elementStart, index, items)
          }
          continue
        }
        if (this.bare) {
          if (!endsBareValue(code)) continue
          this.finishElement(text, elementStart, index, items)
          // The delimiter belongs to the array, not the element: scan it again as such.
        } else {
          if (code === QUOTE) this.inString = true
          else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
            if (!this.valueMayStart()) {
              // The element lacks a closing bracket; this one starts the next element.
              this.finishElement(text, elementStart, index, items)
              elementStart = this.startElement(code, index)
              continue
            }
            this.open.push(code)
          } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
            this.open.pop()
            if (this.open.length === 0) {
              this.finishElement(text, elementStart, index + 1, items)
              continue
            }
          } else if (code === NEWLINE) {
            this.line += 1
            continue
          } else if (code === SPACE || code === TAB || code === RETURN) continue
          this.previous = code
          continue
        }
      }
      if (code === NEWLINE) {
        this.line += 1
        continue
      }
      if (code === SPACE || code === TAB || code === RETURN) continue
      switch (this.phase) {
        case "before-array":
          if (code === OPEN_BRACKET) this.phase = "before-first-element"
          else this.stop(items, `expected a JSON array of records ('['), found ${quoteChar(code)}${code === OPEN_BRACE ? "; for one record per line, use the NDJSON format" : ""}`)
          break
        case "before-first-element":
          if (code === CLOSE_BRACKET) this.closeArray()
          else elementStart = this.startElement(code, index)
          break
        case "before-element":
          if (code === CLOSE_BRACKET) {
            items.push({ _tag: "Malformed", line: this.line, reason: "malformed JSON: a comma before the closing ']' (trailing comma)" })
            this.closeArray()
          } else if (code === COMMA) {
            items.push({ _tag: "Malformed", line: this.line, reason: "malformed JSON: an empty element (two commas in a row)" })
          } else elementStart = this.startElement(code, index)
          break
        case "after-element":
          if (code === COMMA) this.phase = "before-element"
          else if (code === CLOSE_BRACKET) this.closeArray()
          else {
            items.push({ _tag: "Malformed", line: this.line, reason: `malformed JSON: expected ',' or ']' after the previous element, found ${quoteChar(code)}` })
            elementStart = this.startElement(code, index)
          }
          break
        case "after-array":
          if (code === COMMA) {
            // Elements go on after it: that ']' was one too many at the end of the element before
            // (`{...}]`), not the array's end. Stopping there would drop every record after it.
            items.push({ _tag: "Malformed", line: this.closeLine, reason: "malformed JSON: a ']' that closes nothing (one too many after the element before it)" })
            this.phase = "before-element"
          } else this.stop(items, `unexpected text after the end of the array: ${quoteChar(code)}`)
          break
        case "in-element":
        case "stopped":
          break
      }
      if (this.stopped) return items
    }
    if (this.phase === "in-element") this.keepElementPart(text.slice(elementStart), items)
    return items
  }

  /** Ends the input; returns the items only its end decides (an unfinished element or array). */
  end(): Array<SourceItem> {
    const items: Array<SourceItem> = []
    switch (this.phase) {
      case "in-element":
        if (this.bare) {
          this.finishElement("", 0, 0, items)
          this.stopAtEnd(items)
        } else {
          items.push({
            _tag: "Malformed",
            line: this.elementLine,
            rule: "malformed",
            reason: "malformed JSON: the input ends inside this element (an unclosed string or bracket)",
            text: shownStart(this.elementParts)
          })
          this.phase = "stopped"
        }
        break
      case "before-first-element":
      case "before-element":
      case "after-element":
        this.stopAtEnd(items)
        break
      case "before-array":
      case "after-array":
      case "stopped":
        break
    }
    return items
  }

  private closeArray(): void {
    this.phase = "after-array"
    this.closeLine = this.line
  }

  /** Whether a value can start here in the current element: after `:` in an object, after `[` or `,` in an array. */
  private valueMayStart(): boolean {
    const container = this.open.at(-1)
    return container === OPEN_BRACE ? this.previous === COLON : this.previous === OPEN_BRACKET || this.previous === COMMA
  }

  /** Starts the element whose first character is `code` at `index`; returns where its text starts. */
  private startElement(code: number, index: number): number {
    this.phase = "in-element"
    this.elementLine = this.line
    this.inString = code === QUOTE
    this.escaped = false
    const container = code === OPEN_BRACE || code === OPEN_BRACKET
    this.open = container ? [code] : []
    this.previous = code
    this.bare = !this.inString && !container
    return index
  }

  private finishElement(text: string, start: number, end: number, items: Array<SourceItem>): void {
    const tail = text.slice(start, end)
    const element = this.elementParts.length === 0 ? tail : this.elementParts.join("") + tail
    this.elementParts = []
    this.elementPartsLength = 0
    this.phase = "after-element"
    const item = jsonItem(element, this.elementLine, this.checkEncoding)
    if (item._tag === "Record") {
      items.push(item)
      return
    }
    // A malformed element may hold what was meant as several records: say which lines it covers.
    const lastLine = this.elementLine + lineBreaksIn(element.trimEnd())
    items.push(lastLine > this.elementLine ? { ...item, reason: `${item.reason} (this element runs from line ${this.elementLine} to line ${lastLine})` } : item)
  }

  private keepElementPart(part: string, items: Array<SourceItem>): void {
    this.elementPartsLength += part.length
    if (this.elementPartsLength > this.maxElementLength) {
      const start = shownStart([...this.elementParts, part])
      this.elementParts = []
      this.elementPartsLength = 0
      items.push({
        _tag: "Malformed",
        line: this.elementLine,
        rule: "too-long",
        reason: `malformed JSON: this element is longer than ${this.maxElementLength.toLocaleString("en-US")} characters, which no record is; reading stopped here`,
        text: start
      })
      this.phase = "stopped"
      return
    }
    this.elementParts.push(part)
  }

  private stopAtEnd(items: Array<SourceItem>): void {
    items.push({
      _tag: "Malformed",
      line: this.endsWithNewline ? this.line - 1 : this.line,
      reason: "malformed JSON: the input ends before the array is closed (missing ']')"
    })
    this.phase = "stopped"
  }

  private stop(items: Array<SourceItem>, reason: string): void {
    items.push({ _tag: "Malformed", line: this.line, rule: "malformed", reason })
    this.phase = "stopped"
  }
}

/** Whether `code` ends a bare value: whitespace, or a character no number or literal contains. */
const endsBareValue = (code: number): boolean =>
  code === COMMA ||
  code === CLOSE_BRACKET ||
  code === CLOSE_BRACE ||
  code === OPEN_BRACKET ||
  code === OPEN_BRACE ||
  code === QUOTE ||
  code === SPACE ||
  code === NEWLINE ||
  code === RETURN ||
  code === TAB

const lineBreaksIn = (text: string): number => {
  let breaks = 0
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) breaks++
  return breaks
}

const quoteChar = (code: number): string => JSON.stringify(String.fromCharCode(code))
