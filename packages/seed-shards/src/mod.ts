/**
 * The seed's shards: the three models of the Django demo this project started from, whose
 * sample load it reproduces exactly (26 of 30 records inserted). One list for whatever must
 * stay the seed's whichever shards an application registers: the CLI's tests scope their
 * record-for-record reproductions of the seed to it, and the benchmark loads exactly these, so
 * that its workload, and its results, do not change when a shard is added to the CLI.
 *
 * @module
 */
import type { Shard } from "@distributed-insert/shard"
import { orders } from "@distributed-insert/shard-orders"
import { products } from "@distributed-insert/shard-products"
import { users } from "@distributed-insert/shard-users"

/** users, products and orders, in the seed's order (the order its report lists them in). */
export const seedShards: ReadonlyArray<Shard> = [users, products, orders]
