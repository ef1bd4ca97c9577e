/**
 * A fixture shard with generators, shared by the generation tests. Not part of the public API
 * (not exported from mod.ts).
 */
import { Schema } from "effect"
import { defineShard, type RecordGenerators } from "./shard.ts"

const Tag = Schema.Struct({ id: Schema.Int, label: Schema.String, stars: Schema.Int })

/** A valid tag, and for each rule a tag that breaks it alone. */
export const tagGenerators: RecordGenerators<typeof Tag.Encoded> = {
  valid: (id, random) => ({ id, label: `${random.pick(["red", "green", "blue"])}-${id}`, stars: random.int(1, 5) }),
  invalid: {
    "label-required": (id, random) => ({ id, label: "", stars: random.int(1, 5) }),
    "stars-range": (id, random) => ({ id, label: `tag-${id}`, stars: random.pick([0, 6]) })
  }
}

/** Tags with two rules; named `name` (model `Tags` for `tags`), with `generators` (the well-behaved ones by default, none when null). */
export const tagShard = (options: { readonly name?: string; readonly generators?: RecordGenerators<typeof Tag.Encoded> | null } = {}) => {
  const generators = options.generators === undefined ? tagGenerators : options.generators
  const name = options.name ?? "tags"
  return defineShard({
    name,
    model: name.charAt(0).toUpperCase() + name.slice(1),
    table: name,
    record: Tag,
    primaryKey: "id",
    rules: (rule) => [
      rule({ name: "label-required", message: "Label cannot be empty", fields: ["label"], holds: (label) => label.length > 0 }),
      rule({ name: "stars-range", message: "Stars must be 1 to 5", fields: ["stars"], holds: (stars) => stars >= 1 && stars <= 5 })
    ],
    migrations: [],
    sample: [],
    ...(generators === null ? {} : { generators })
  })
}
