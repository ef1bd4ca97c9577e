import type { TextRule } from "@distributed-insert/shard"

// With the `u` flag a surrogate pair is one code point, outside this range: only lone ones match.
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u

/**
 * Text that PostgreSQL cannot store as it is given, refused at validation so that every record
 * that lands reads back exactly (and none is refused by the database or silently changed on the
 * way). In the order they are checked: a value is reported for the first one it breaks.
 *
 * Only these two: PostgreSQL's `text` takes every other Unicode character in a UTF8 database, a
 * leading byte order mark included (node-postgres decodes with `Buffer#toString`, which keeps it,
 * unlike a default `TextDecoder`). A database in another server encoding (LATIN1, say) refuses,
 * row by row, the characters it has no room for; shard databases are meant to be UTF8.
 */
export const PG_TEXT_RULES: ReadonlyArray<TextRule> = [
  {
    // `text` is NUL-terminated inside the server: PostgreSQL refuses 0x00 in any text input.
    name: "nul-character",
    message: "Text cannot contain the NUL character (U+0000): PostgreSQL cannot store it",
    breaks: (text) => text.includes("\u0000")
  },
  {
    // UTF-8 has no encoding for a lone UTF-16 surrogate: it would be sent, and stored, as U+FFFD.
    name: "unpaired-surrogate",
    message: "Text cannot contain an unpaired surrogate (it is not valid Unicode)",
    breaks: (text) => UNPAIRED_SURROGATE.test(text)
  }
]
