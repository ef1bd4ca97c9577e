/**
 * The seed's three shard plugins restated for core's hostile-input tests: core cannot depend on
 * the shard packages (they depend on it). Same fields, Schemas, rules and tables as
 * packages/shard-{users,products,orders}; keep them in step. Not part of the public API.
 */

import { defineShard, type Shard } from "@distributed-insert/shard"
import { Schema } from "effect"
import type { FieldKind } from "./testing-hostile.ts"

/** A shard with, for the property tests' oracle, its fields' kinds and its rules said plainly. */
export interface HostileShape {
  readonly shard: Shard
  readonly fields: Readonly<Record<string, FieldKind>>
  readonly holds: (record: Readonly<Record<string, number | string>>) => boolean
}

export const users: HostileShape = {
  shard: defineShard({
    name: "users",
    model: "User",
    table: "users",
    record: Schema.Struct({ id: Schema.Int, name: Schema.String, email: Schema.String }),
    primaryKey: "id",
    rules: (rule) => [
      rule({ name: "email-required", message: "Email cannot be empty", fields: ["email"], holds: (email) => email.length > 0 }),
      rule({ name: "name-required", message: "Name cannot be empty", fields: ["name"], holds: (name) => name.length > 0 })
    ],
    migrations: [{ version: 1, description: "create users", sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)" }],
    sample: []
  }),
  fields: { id: "int", name: "text", email: "text" },
  holds: ({ name, email }) => String(name).length > 0 && String(email).length > 0
}

export const products: HostileShape = {
  shard: defineShard({
    name: "products",
    model: "Product",
    table: "products",
    record: Schema.Struct({ id: Schema.Int, name: Schema.String, price: Schema.Finite }),
    primaryKey: "id",
    rules: (rule) => [
      rule({ name: "price-positive", message: "Price must be positive", fields: ["price"], holds: (price) => price > 0 }),
      rule({ name: "name-required", message: "Name cannot be empty", fields: ["name"], holds: (name) => name.length > 0 })
    ],
    migrations: [
      { version: 1, description: "create products", sql: "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)" }
    ],
    sample: []
  }),
  fields: { id: "int", name: "text", price: "finite" },
  holds: ({ name, price }) => Number(price) > 0 && String(name).length > 0
}

export const orders: HostileShape = {
  shard: defineShard({
    name: "orders",
    model: "Order",
    table: "orders",
    record: Schema.Struct({ id: Schema.Int, user_id: Schema.Int, product_id: Schema.Int, quantity: Schema.Int }),
    primaryKey: "id",
    rules: (rule) => [
      rule({ name: "quantity-positive", message: "Quantity must be positive", fields: ["quantity"], holds: (quantity) => quantity > 0 }),
      rule({ name: "ids-positive", message: "IDs must be positive", fields: ["user_id", "product_id"], holds: (id) => id >= 1 })
    ],
    migrations: [
      {
        version: 1,
        description: "create orders",
        sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL)"
      }
    ],
    sample: []
  }),
  fields: { id: "int", user_id: "int", product_id: "int", quantity: "int" },
  holds: ({ quantity, user_id, product_id }) => Number(quantity) > 0 && Number(user_id) >= 1 && Number(product_id) >= 1
}
