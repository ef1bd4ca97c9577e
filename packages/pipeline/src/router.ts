import type { Shard, ShardName } from "@distributed-insert/shard"
import { Context, Effect, Layer, Option } from "effect"
import { UnroutableModelError } from "./errors.ts"
import { ShardRegistry } from "./registry.ts"

/** Extra context for a routing decision, as Django's `**hints` (e.g. `{ instance }`). */
export type RoutingHints = Readonly<Record<string, unknown>>

/** A model instance as `allowRelation` sees it: which model, and which database holds it. */
export interface ModelRef {
  readonly model: string
  readonly database: string
}

/**
 * One router of the chain, with Django's semantics: every method is optional, and
 * `Option.none()` means "no opinion", which passes the question to the next router.
 */
export interface DatabaseRouter {
  readonly dbForRead?: (model: string, hints: RoutingHints) => Option.Option<string>
  readonly dbForWrite?: (model: string, hints: RoutingHints) => Option.Option<string>
  readonly allowRelation?: (a: ModelRef, b: ModelRef, hints: RoutingHints) => Option.Option<boolean>
  readonly allowMigrate?: (database: string, model: string, hints: RoutingHints) => Option.Option<boolean>
}

/**
 * The routing service every read, write and migration goes through: the configured routers
 * in order, then the default router derived from the registered shards.
 */
export class Router extends Context.Service<
  Router,
  {
    readonly dbForRead: (model: string, hints?: RoutingHints) => Effect.Effect<ShardName, UnroutableModelError>
    readonly dbForWrite: (model: string, hints?: RoutingHints) => Effect.Effect<ShardName, UnroutableModelError>
    /** With no opinion anywhere, a relation is allowed between instances of the same database. */
    readonly allowRelation: (a: ModelRef, b: ModelRef, hints?: RoutingHints) => boolean
    /** With no opinion anywhere, a migration is allowed (Django's default). */
    readonly allowMigrate: (database: string, model: string, hints?: RoutingHints) => boolean
  }
>()("@distributed-insert/pipeline/Router") {
  static readonly layer = (routers: ReadonlyArray<DatabaseRouter> = []): Layer.Layer<Router, never, ShardRegistry> =>
    Layer.effect(
      Router,
      Effect.gen(function* () {
        const registry = yield* ShardRegistry
        return makeRouter([...routers, defaultRouter(registry.shards)], registry.shards)
      })
    )
}

/**
 * The seed's `DistributedRouter`: each model reads and writes its own shard, and a shard only
 * takes its own model's migrations. Unknown models and databases get no opinion.
 */
export const defaultRouter = (shards: ReadonlyArray<Shard>): DatabaseRouter => {
  const shardOfModel = new Map(shards.map((shard) => [shard.model, shard.name]))
  const modelOfShard = new Map(shards.map((shard) => [shard.name as string, shard.model]))
  const route = (model: string) => Option.fromNullishOr(shardOfModel.get(model))
  return {
    dbForRead: route,
    dbForWrite: route,
    allowMigrate: (database, model) => Option.map(Option.fromNullishOr(modelOfShard.get(database)), (own) => own === model)
  }
}

/** Asks each router in turn; the first `Some` is the answer. */
const firstOpinion = <A>(routers: ReadonlyArray<DatabaseRouter>, ask: (router: DatabaseRouter) => Option.Option<A> | undefined): Option.Option<A> => {
  for (const router of routers) {
    const answer = ask(router)
    if (answer !== undefined && Option.isSome(answer)) return answer
  }
  return Option.none()
}

const makeRouter = (routers: ReadonlyArray<DatabaseRouter>, shards: ReadonlyArray<Shard>): Router["Service"] => {
  const databases = new Map(shards.map((shard) => [shard.name as string, shard.name]))
  const route =
    (operation: "read" | "write") =>
    (model: string, hints: RoutingHints = {}): Effect.Effect<ShardName, UnroutableModelError> => {
      const answer = firstOpinion(routers, (router) =>
        operation === "read" ? router.dbForRead?.(model, hints) : router.dbForWrite?.(model, hints)
      )
      if (Option.isNone(answer)) {
        return Effect.fail(new UnroutableModelError({ model, operation, reason: "no router has an opinion on it" }))
      }
      const database = databases.get(answer.value)
      return database === undefined
        ? Effect.fail(
            new UnroutableModelError({ model, operation, reason: `routed to "${answer.value}", which is not a registered shard` })
          )
        : Effect.succeed(database)
    }
  return Router.of({
    dbForRead: route("read"),
    dbForWrite: route("write"),
    allowRelation: (a, b, hints = {}) =>
      Option.getOrElse(
        firstOpinion(routers, (router) => router.allowRelation?.(a, b, hints)),
        () => a.database === b.database
      ),
    allowMigrate: (database, model, hints = {}) =>
      Option.getOrElse(
        firstOpinion(routers, (router) => router.allowMigrate?.(database, model, hints)),
        () => true
      )
  })
}
