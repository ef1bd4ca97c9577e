/**
 * The `products` shard plugin: the `Product` model in its own `products.db`.
 *
 * @module
 */
export { products } from "./products.ts"
export { sampleProducts } from "./sample.ts"
