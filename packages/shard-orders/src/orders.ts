import { defineShard, type Random } from "@distributed-insert/shard"
import { Schema } from "effect"
import { sampleOrders } from "./sample.ts"

/**
 * A plausible order. Its user and product ids are at most its own id, so they name records that
 * a generation of the same count also makes.
 */
const validOrder = (id: number, random: Random) => ({
  id,
  user_id: random.int(1, id),
  product_id: random.int(1, id),
  quantity: random.int(1, 10)
})

/**
 * The seed's `Order`: a positive quantity of a product for a user. The ids point into other
 * shards, so, as in the seed, they are checked for sign only, not for existence. Its table is
 * derived from `record`, as the seed's DDL had it: `orders (id INTEGER PRIMARY KEY, user_id
 * INTEGER NOT NULL, product_id INTEGER NOT NULL, quantity INTEGER NOT NULL)` in SQLite.
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
  sample: sampleOrders,
  generators: {
    valid: validOrder,
    invalid: {
      "quantity-positive": (id, random) => ({ ...validOrder(id, random), quantity: random.int(-3, 0) }),
      "ids-positive": (id, random) => {
        const order = validOrder(id, random)
        const badId = random.int(-5, 0)
        return random.next() < 0.5 ? { ...order, user_id: badId } : { ...order, product_id: badId }
      }
    }
  }
})
