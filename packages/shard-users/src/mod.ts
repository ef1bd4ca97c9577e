/**
 * The `users` shard plugin: the `User` model in its own `users.db`.
 *
 * @module
 */
export { sampleUsers } from "./sample.ts"
export { users } from "./users.ts"
