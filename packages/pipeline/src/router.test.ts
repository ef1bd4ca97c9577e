import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { ShardRegistry } from "./registry.ts"
import { type DatabaseRouter, defaultRouter, Router } from "./router.ts"
import { noteShard } from "./testing.ts"

const shards = [noteShard("alpha"), noteShard("beta")]

/** Routing needs no storage: the router layer over the registry alone. */
const routerLayer = (routers: ReadonlyArray<DatabaseRouter> = []) =>
  Router.layer(routers).pipe(Layer.provide(ShardRegistry.layer(shards)))

const withRouter = <A, E>(routers: ReadonlyArray<DatabaseRouter>, use: (router: Router["Service"]) => Effect.Effect<A, E>) =>
  Router.use(use).pipe(Effect.provide(routerLayer(routers)))

describe("router chain", () => {
  it.effect("the default router sends each model to its own shard, for reads and writes", () =>
    withRouter([], (router) =>
      Effect.gen(function* () {
        expect(yield* router.dbForWrite("Alpha")).toBe("alpha")
        expect(yield* router.dbForRead("Alpha")).toBe("alpha")
        expect(yield* router.dbForWrite("Beta")).toBe("beta")
        expect(yield* router.dbForRead("Beta")).toBe("beta")
      })
    )
  )

  it.effect("the first Some wins, none() passes on, and routers after the answer are not asked", () => {
    const asked: Array<string> = []
    const asking =
      (label: string, answer: (model: string) => Option.Option<string>) =>
      (model: string) => {
        asked.push(`${label}:${model}`)
        return answer(model)
      }
    const routers: ReadonlyArray<DatabaseRouter> = [
      { dbForWrite: asking("abstains", () => Option.none()) },
      { dbForWrite: asking("answers", (model) => (model === "Alpha" ? Option.some("beta") : Option.none())) },
      { dbForWrite: asking("never", () => Option.some("alpha")) }
    ]
    return withRouter(routers, (router) =>
      Effect.gen(function* () {
        expect(yield* router.dbForWrite("Alpha")).toBe("beta")
        expect(asked).toEqual(["abstains:Alpha", "answers:Alpha"])
      })
    )
  })

  it.effect("routers lacking a method are skipped, and reads only consult dbForRead", () => {
    const routers: ReadonlyArray<DatabaseRouter> = [
      { allowRelation: () => Option.some(false) },
      { dbForWrite: (model) => (model === "Beta" ? Option.some("alpha") : Option.none()) }
    ]
    return withRouter(routers, (router) =>
      Effect.gen(function* () {
        expect(yield* router.dbForWrite("Beta")).toBe("alpha")
        expect(yield* router.dbForRead("Beta")).toBe("beta")
        expect(yield* router.dbForWrite("Alpha")).toBe("alpha")
      })
    )
  })

  it.effect("hints reach the routers", () => {
    const routers: ReadonlyArray<DatabaseRouter> = [
      { dbForRead: (_model, hints) => (typeof hints["replica"] === "string" ? Option.some(hints["replica"]) : Option.none()) }
    ]
    return withRouter(routers, (router) =>
      Effect.gen(function* () {
        expect(yield* router.dbForRead("Alpha", { replica: "beta" })).toBe("beta")
        expect(yield* router.dbForRead("Alpha")).toBe("alpha")
      })
    )
  })
})

describe("unroutable models", () => {
  it.effect("a model no router has an opinion on is an UnroutableModelError", () =>
    withRouter([], (router) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(router.dbForWrite("Ghost"))
        expect(error._tag).toBe("UnroutableModelError")
        expect(error.model).toBe("Ghost")
        expect(error.operation).toBe("write")
        expect(error.reason).toBe("no router has an opinion on it")
        expect((yield* Effect.flip(router.dbForRead("Ghost"))).operation).toBe("read")
      })
    )
  )

  it.effect("a model routed to a database that is not a registered shard is an UnroutableModelError", () =>
    withRouter([{ dbForWrite: () => Option.some("nowhere") }], (router) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(router.dbForWrite("Alpha"))
        expect(error._tag).toBe("UnroutableModelError")
        expect(error.model).toBe("Alpha")
        expect(error.reason).toBe(`routed to "nowhere", which is not a registered shard`)
        expect(error.message).toContain("nowhere")
      })
    )
  )
})

describe("allowMigrate", () => {
  it.effect("the default router lets a shard take its own model only, and allows databases it does not know", () =>
    withRouter([], (router) =>
      Effect.sync(() => {
        expect(router.allowMigrate("alpha", "Alpha")).toBe(true)
        expect(router.allowMigrate("alpha", "Beta")).toBe(false)
        expect(router.allowMigrate("beta", "Alpha")).toBe(false)
        // No opinion anywhere: Django's default, true.
        expect(router.allowMigrate("default", "Alpha")).toBe(true)
      })
    )
  )

  it.effect("an earlier router's opinion overrides the default router", () =>
    withRouter([{ allowMigrate: (database, model) => (database === "alpha" && model === "Beta" ? Option.some(true) : Option.none()) }], (router) =>
      Effect.sync(() => {
        expect(router.allowMigrate("alpha", "Beta")).toBe(true)
        expect(router.allowMigrate("beta", "Alpha")).toBe(false)
      })
    )
  )

  it("defaultRouter on its own has no opinion on unknown models or databases", () => {
    const router = defaultRouter(shards)
    expect(router.dbForRead?.("Ghost", {})).toEqual(Option.none())
    expect(router.allowMigrate?.("default", "Alpha", {})).toEqual(Option.none())
    expect(router.allowMigrate?.("alpha", "Alpha", {})).toEqual(Option.some(true))
  })
})

describe("allowRelation", () => {
  it.effect("with no opinion, a relation is allowed between instances of the same database only", () =>
    withRouter([], (router) =>
      Effect.sync(() => {
        expect(router.allowRelation({ model: "Alpha", database: "alpha" }, { model: "Beta", database: "alpha" })).toBe(true)
        expect(router.allowRelation({ model: "Alpha", database: "alpha" }, { model: "Beta", database: "beta" })).toBe(false)
      })
    )
  )

  it.effect("a router's opinion overrides the same-database default", () =>
    withRouter([{ allowRelation: () => Option.some(true) }], (router) =>
      Effect.sync(() => {
        expect(router.allowRelation({ model: "Alpha", database: "alpha" }, { model: "Beta", database: "beta" })).toBe(true)
      })
    )
  )
})
