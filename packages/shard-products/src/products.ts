import { defineShard } from "@distributed-insert/core"
import { Schema } from "effect"
import { sampleProducts } from "./sample.ts"

/** The seed's `Product`: a name and a strictly positive price. */
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
  migrations: [
    {
      version: 1,
      description: "create products",
      sql: "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)"
    }
  ],
  sample: sampleProducts
})
