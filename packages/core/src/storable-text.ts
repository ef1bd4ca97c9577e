/**
 * Text that a shard could store but not give back as it was given, refused at validation so
 * that every record that lands reads back exactly. A check of every shard, beside its rules:
 * the issue names the field and one of these rules.
 */
export const TEXT_RULES = {
  /** UTF-8 has no encoding for a lone UTF-16 surrogate: it would come back as U+FFFD characters. */
  unpairedSurrogate: { name: "unpaired-surrogate", message: "Text cannot contain an unpaired surrogate (it is not valid Unicode)" },
  /** sql.js decodes text with a default TextDecoder, which drops a byte order mark at the start. */
  leadingByteOrderMark: { name: "leading-byte-order-mark", message: "Text cannot start with a byte order mark (U+FEFF): it would be lost" }
} as const

// With the `u` flag a surrogate pair is one code point, outside this range: only lone ones match.
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u

/** The message of the first reason `text` would not read back as it is, or undefined. */
export const unstorableTextMessage = (text: string): string | undefined => {
  if (text.charCodeAt(0) === 0xfeff) return TEXT_RULES.leadingByteOrderMark.message
  if (UNPAIRED_SURROGATE.test(text)) return TEXT_RULES.unpairedSurrogate.message
  return undefined
}
