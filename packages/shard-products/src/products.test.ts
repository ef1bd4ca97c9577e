import { shardConformance } from "@distributed-insert/shard/testing"
import { products } from "./mod.ts"

shardConformance(products, {
  // The seed's errors for each of its ten products, in order; null when the product is inserted.
  sampleOutcomes: [null, null, null, null, null, null, null, null, null, ["Price must be positive"]],
  examples: [
    // The seed checks the price before the name.
    { record: { id: 11, name: "", price: 0 }, errors: ["Price must be positive", "Name cannot be empty"] },
    // A price that is no number at all is a type error, not a broken rule.
    { record: { id: 11, name: "Ghost", price: Number.NaN }, errors: ["price: Expected a finite number, actual NaN"] }
  ]
})
