import { Schema } from "effect"

/**
 * A shard's name. It becomes a file name (`<data-dir>/<name>.db`), so it is restricted to
 * lower-case letters, digits, `-` and `_`, starting with a letter: no separators, no `..`.
 */
export const ShardName = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_-]{0,62}$/, {
    message: "a shard name is 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter (it becomes a file name)"
  })
).pipe(Schema.brand("ShardName"))
export type ShardName = typeof ShardName.Type
