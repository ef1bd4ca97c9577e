import type { SourceItem } from "../record-source.ts"
import { jsonItem } from "./json-item.ts"

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

/** Where the scan is in `[ element, element, ... ]`. */
type Phase =
  | "before-array"
  | "before-first-element"
  | "before-element"
  | "in-element"
  | "after-element"
  | "after-array"
  | "stopped"

/** An element larger than this means its brackets do not balance: past it, reading stops. */
export const DEFAULT_MAX_ELEMENT_LENGTH = 64 * 1024 * 1024

/**
 * Finds the top-level elements of one JSON array in text that arrives in pieces, and hands
 * each element's text to `JSON.parse`.
 *
 * This is a boundary scanner, not a JSON parser: it tracks only what decides where an element
 * ends (strings, their escapes, bracket depth) and leaves every other check to `JSON.parse`,
 * so an element is accepted exactly when `JSON.parse` accepts it. That is what lets a large
 * array stream: only the element being scanned is held, never the whole array.
 *
 * A malformed element becomes a `Malformed` item on the line it starts on, and the scan goes on
 * with the next element. Text before the `[` or after the `]`, and an element longer than
 * `maxElementLength` (brackets that never balance), stop the scan: past them, element
 * boundaries can no longer be trusted.
 */
export class JsonArrayScanner {
  private phase: Phase = "before-array"
  /** The line of the character being scanned (1-based). */
  private line = 1
  private depth = 0
  private inString = false
  private escaped = false
  /** The current element is a bare number, `true`, `null`, ...: it ends at the next delimiter. */
  private bare = false
  private elementLine = 0
  /** The current element's text from earlier pieces, when it spans several. */
  private elementParts: Array<string> = []
  private elementPartsLength = 0
  /** Whether the text so far ends with a line break, so the last line is the one before. */
  private endsWithNewline = false

  private readonly maxElementLength: number

  constructor(maxElementLength: number = DEFAULT_MAX_ELEMENT_LENGTH) {
    this.maxElementLength = maxElementLength
  }

  /** True once nothing more can be read from this input; later text is ignored. */
  get stopped(): boolean {
    return this.phase === "stopped"
  }

  /** Scans the next piece of text; returns the items it completed, in order. */
  push(text: string): Array<SourceItem> {
    const items: Array<SourceItem> = []
    if (this.stopped || text.length === 0) return items
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
            if (this.depth === 0) this.finishElement(text, elementStart, index + 1, items)
          } else if (code === NEWLINE) this.line += 1
          continue
        }
        if (this.bare) {
          if (!endsBareValue(code)) continue
          this.finishElement(text, elementStart, index, items)
          // The delimiter belongs to the array, not the element: scan it again as such.
        } else {
          if (code === QUOTE) this.inString = true
          else if (code === OPEN_BRACE || code === OPEN_BRACKET) this.depth += 1
          else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
            this.depth -= 1
            if (this.depth === 0) this.finishElement(text, elementStart, index + 1, items)
          } else if (code === NEWLINE) this.line += 1
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
          if (code === CLOSE_BRACKET) this.phase = "after-array"
          else elementStart = this.startElement(code, index)
          break
        case "before-element":
          if (code === CLOSE_BRACKET) {
            items.push({ _tag: "Malformed", line: this.line, reason: "malformed JSON: a comma before the closing ']' (trailing comma)" })
            this.phase = "after-array"
          } else if (code === COMMA) {
            items.push({ _tag: "Malformed", line: this.line, reason: "malformed JSON: an empty element (two commas in a row)" })
          } else elementStart = this.startElement(code, index)
          break
        case "after-element":
          if (code === COMMA) this.phase = "before-element"
          else if (code === CLOSE_BRACKET) this.phase = "after-array"
          else {
            items.push({ _tag: "Malformed", line: this.line, reason: `malformed JSON: expected ',' or ']' after the previous element, found ${quoteChar(code)}` })
            elementStart = this.startElement(code, index)
          }
          break
        case "after-array":
          this.stop(items, `unexpected text after the end of the array: ${quoteChar(code)}`)
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
            reason: "malformed JSON: the input ends inside this element (an unclosed string or bracket)"
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

  /** Starts the element whose first character is `code` at `index`; returns where its text starts. */
  private startElement(code: number, index: number): number {
    this.phase = "in-element"
    this.elementLine = this.line
    this.inString = code === QUOTE
    this.escaped = false
    this.depth = code === OPEN_BRACE || code === OPEN_BRACKET ? 1 : 0
    this.bare = !this.inString && this.depth === 0
    return index
  }

  private finishElement(text: string, start: number, end: number, items: Array<SourceItem>): void {
    const tail = text.slice(start, end)
    const element = this.elementParts.length === 0 ? tail : this.elementParts.join("") + tail
    this.elementParts = []
    this.elementPartsLength = 0
    this.phase = "after-element"
    items.push(jsonItem(element, this.elementLine))
  }

  private keepElementPart(part: string, items: Array<SourceItem>): void {
    this.elementPartsLength += part.length
    if (this.elementPartsLength > this.maxElementLength) {
      this.elementParts = []
      this.elementPartsLength = 0
      items.push({
        _tag: "Malformed",
        line: this.elementLine,
        reason: `malformed JSON: this element is longer than ${this.maxElementLength} characters; its brackets probably do not balance, so reading stopped here`
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
    items.push({ _tag: "Malformed", line: this.line, reason })
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

const quoteChar = (code: number): string => JSON.stringify(String.fromCharCode(code))
