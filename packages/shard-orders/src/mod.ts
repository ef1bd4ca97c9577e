/**
 * The `orders` shard plugin: the `Order` model in its own `orders.db`.
 *
 * @module
 */
export { orders } from "./orders.ts"
export { sampleOrders } from "./sample.ts"
