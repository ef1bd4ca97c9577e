import { shardConformance } from "@distributed-insert/shard/testing"
import { orders } from "./mod.ts"

shardConformance(orders, {
  // The seed's errors for each of its ten orders, in order; null when the order is inserted
  // (order 10 too: its product 11 does not exist, and the seed does not check that).
  sampleOutcomes: [null, null, null, null, null, null, null, ["Quantity must be positive"], ["Quantity must be positive"], null],
  examples: [
    // The seed checks the quantity before the ids.
    { record: { id: 11, user_id: 0, product_id: 1, quantity: 0 }, errors: ["Quantity must be positive", "IDs must be positive"] },
    // One rule over both ids: reported once, however many of them break it.
    { record: { id: 11, user_id: 0, product_id: -1, quantity: 1 }, errors: ["IDs must be positive"] }
  ]
})
