import { defineShard, type Random } from "@distributed-insert/shard"
import { Schema } from "effect"
import { sampleProducts } from "./sample.ts"

const kinds = ["Wireless", "Compact", "Pro", "Ergonomic", "Smart", "Gaming", "Portable", "Classic"] as const
const items = ["Laptop", "Smartphone", "Headphones", "Monitor", "Keyboard", "Mouse", "Smartwatch", "Chair", "Earbuds", "Camera"] as const

/** A plausible product: a price in cents, written with its two decimals (1.00 to 2000.00). */
const validProduct = (id: number, random: Random) => ({
  id,
  name: `${random.pick(kinds)} ${random.pick(items)}`,
  price: random.int(100, 200_000) / 100
})

/**
 * The seed's `Product`: a name and a strictly positive price. Its table is derived from
 * `record`, as the seed's DDL had it: `products (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
 * price REAL NOT NULL)` in SQLite, the price a finite double (`Schema.Finite`).
 */
export const products = defineShard({
  name: "products",
  model: "Product",
  table: "products",
  record: Schema.Struct({ id: Schema.Int, name: Schema.String, price: Schema.Finite }),
  primaryKey: "id",
  rules: (rule) => [
    rule({ name: "price-positive", message: "Price must be positive", fields: ["price"], holds: (price) => price > 0 }),
    rule({ name: "name-required", message: "Name cannot be empty", fields: ["name"], holds: (name) => name.length > 0 })
  ],
  sample: sampleProducts,
  generators: {
    valid: validProduct,
    invalid: {
      "price-positive": (id, random) => ({ ...validProduct(id, random), price: random.int(-50_000, 0) / 100 }),
      "name-required": (id, random) => ({ ...validProduct(id, random), name: "" })
    }
  }
})
