import type { Shard } from "@distributed-insert/shard"
import { orders } from "@distributed-insert/shard-orders"
import { products } from "@distributed-insert/shard-products"
import { users } from "@distributed-insert/shard-users"

/**
 * The shards the benchmark loads, in the CLI's registration order. The baselines import the
 * same plugins as the CLI so that every contestant validates with the very same rules.
 */
export const shardPlugins: ReadonlyArray<Shard> = [users, products, orders]
