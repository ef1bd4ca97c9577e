import { defineShard } from "@distributed-insert/core"
import { Schema } from "effect"
import { sampleUsers } from "./sample.ts"

/** The seed's `User`: an id, a name and an email, both required. */
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
  migrations: [
    {
      version: 1,
      description: "create users",
      sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)"
    }
  ],
  sample: sampleUsers
})
