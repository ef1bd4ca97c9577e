import { defineShard, type Random } from "@distributed-insert/shard"
import { Schema } from "effect"
import { sampleUsers } from "./sample.ts"

const firstNames = ["Alice", "Bob", "Charlie", "David", "Eve", "Frank", "Grace", "Henry", "Iris", "Jane"] as const
const lastNames = ["Martin", "Smith", "Garcia", "Chen", "Okafor", "Novak", "Silva", "Kim", "Dubois", "Ivanova"] as const

/** A plausible user; the id in the email keeps emails unique, as a real sign-up would. */
const validUser = (id: number, random: Random) => {
  const first = random.pick(firstNames)
  const last = random.pick(lastNames)
  return { id, name: `${first} ${last}`, email: `${first}.${last}.${id}@example.com`.toLowerCase() }
}

/**
 * The seed's `User`: an id, a name and an email, both required. Its table is derived from
 * `record`, as the seed's DDL had it: `users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email
 * TEXT NOT NULL)` in SQLite.
 */
export const users = defineShard({
  name: "users",
  model: "User",
  table: "users",
  record: Schema.Struct({ id: Schema.Int, name: Schema.String, email: Schema.String }),
  primaryKey: "id",
  rules: (rule) => [
    rule({ name: "email-required", message: "Email cannot be empty", fields: ["email"], holds: (email) => email.length > 0 }),
    rule({ name: "name-required", message: "Name cannot be empty", fields: ["name"], holds: (name) => name.length > 0 })
  ],
  sample: sampleUsers,
  generators: {
    valid: validUser,
    invalid: {
      "email-required": (id, random) => ({ ...validUser(id, random), email: "" }),
      "name-required": (id, random) => ({ ...validUser(id, random), name: "" })
    }
  }
})
