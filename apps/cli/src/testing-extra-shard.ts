import { defineShard, type Random } from "@distributed-insert/shard"
import { Schema } from "effect"

const sites = ["example.com", "example.org", "example.net"] as const

/** A plausible bookmark; the id in the path keeps every URL distinct. */
const validBookmark = (id: number, random: Random) => ({ id, url: `https://${random.pick(sites)}/page/${id}`, title: `Page ${id}` })

/**
 * A shard that is not one of the seed's, for tests of the CLI's tests. testing-registry.test.ts
 * loads it with the seed's shards on every run, to hold the derived expectations to a real
 * load. And with it registered besides the seed's shards (added to `shards` in plugins.ts, first
 * or last, then `pnpm test` in apps/cli, then taken out again), no CLI test may fail: every
 * expectation that depends on the set of shards is derived from the registry (see
 * testing-registry.ts). Its sample differs from the seed's on every count the tests derive: a
 * longer name than any seed shard's (the reports' columns widen), two migrations, an invalid
 * record, and a key given twice (a database error on a first run, which no seed sample has).
 */
export const bookmarks = defineShard({
  name: "bookmarks",
  model: "Bookmark",
  table: "bookmarks",
  record: Schema.Struct({ id: Schema.Int, url: Schema.String, title: Schema.String }),
  primaryKey: "id",
  rules: (rule) => [
    rule({ name: "url-required", message: "URL cannot be empty", fields: ["url"], holds: (url) => url.length > 0 }),
    rule({ name: "title-required", message: "Title cannot be empty", fields: ["title"], holds: (title) => title.length > 0 })
  ],
  migrations: [
    {
      version: 1,
      description: "create bookmarks",
      sql: "CREATE TABLE bookmarks (id INTEGER PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL)"
    },
    { version: 2, description: "index bookmarks by url", sql: "CREATE INDEX bookmarks_url ON bookmarks (url)" }
  ],
  sample: [
    { id: 1, url: "https://example.com/", title: "Example" },
    { id: 2, url: "", title: "Nowhere" },
    { id: 3, url: "https://example.org/", title: "Another" },
    { id: 3, url: "https://example.net/", title: "Same key" },
    { id: 4, url: "https://example.net/docs", title: "Docs" }
  ],
  generators: {
    valid: validBookmark,
    invalid: {
      "url-required": (id, random) => ({ ...validBookmark(id, random), url: "" }),
      "title-required": (id, random) => ({ ...validBookmark(id, random), title: "" })
    }
  }
})
