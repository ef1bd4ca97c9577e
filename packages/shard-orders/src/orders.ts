import { defineShard } from "@distributed-insert/core"
import { Schema } from "effect"
import { sampleOrders } from "./sample.ts"

/**
 * The seed's `Order`: a positive quantity of a product for a user. The ids point into other
 * shards, so, as in the seed, they are checked for sign only, not for existence.
 */
export const orders = defineShard({
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
  sample: sampleOrders
})
