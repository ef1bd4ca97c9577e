import type { DatabaseRouter } from "@distributed-insert/pipeline"
import type { Shard } from "@distributed-insert/shard"
import { orders } from "@distributed-insert/shard-orders"
import { products } from "@distributed-insert/shard-products"
import { users } from "@distributed-insert/shard-users"

/**
 * The shard plugins this CLI serves, in the order reports list them. Adding a shard is one
 * entry here plus the package in this app's dependencies.
 */
export const shards: ReadonlyArray<Shard> = [users, products, orders]

/**
 * Routers consulted before the default one (each model in its own shard). Empty: the seed's
 * routing is the default. See `DatabaseRouter` in core for what one can decide.
 */
export const routers: ReadonlyArray<DatabaseRouter> = []
