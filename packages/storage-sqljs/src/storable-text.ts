import type { TextRule } from "@distributed-insert/shard"

// With the `u` flag a surrogate pair is one code point, outside this range: only lone ones match.
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u

/**
 * Text that a sql.js database could store but not give back as it was given, refused at
 * validation so that every record that lands reads back exactly. In the order they are checked:
 * a value is reported for the first one it breaks.
 */
export const SQLJS_TEXT_RULES: ReadonlyArray<TextRule> = [
  {
    // sql.js decodes text with a default TextDecoder, which drops a byte order mark at the start.
    name: "leading-byte-order-mark",
    message: "Text cannot start with a byte order mark (U+FEFF): it would be lost",
    breaks: (text) => text.charCodeAt(0) === 0xfeff
  },
  {
    // UTF-8 has no encoding for a lone UTF-16 surrogate: it would come back as U+FFFD characters.
    name: "unpaired-surrogate",
    message: "Text cannot contain an unpaired surrogate (it is not valid Unicode)",
    breaks: (text) => UNPAIRED_SURROGATE.test(text)
  }
]
