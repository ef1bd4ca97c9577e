import { shardConformance } from "@distributed-insert/shard/testing"
import { users } from "./mod.ts"

shardConformance(users, {
  // The seed's errors for each of its ten users, in order; null when the user is inserted.
  sampleOutcomes: [null, null, null, null, null, null, null, null, null, ["Name cannot be empty"]],
  // The seed checks the email before the name.
  examples: [{ record: { id: 11, name: "", email: "" }, errors: ["Email cannot be empty", "Name cannot be empty"] }]
})
