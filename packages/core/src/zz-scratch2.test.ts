import { it } from "@effect/vitest"
import { Effect } from "effect"

const run = (label: string, step: (name: string, ev: string[]) => Effect.Effect<unknown>) =>
  it.effect(label, () => Effect.gen(function* () {
    const ev: string[] = []
    yield* Effect.forEach(["a", "b", "c"], (n) => Effect.gen(function* () {
      ev.push(n + "O")
      yield* step(n, ev)
      ev.push(n + "M")
      for (let i = 0; i < 3; i++) { ev.push(n); yield* Effect.yieldNow() }
    }), { concurrency: "unbounded" })
    console.log(label, ev.join(" "))
  }))
run("plain", () => Effect.void)
run("semaphore", () => Effect.gen(function* () { const s = yield* Effect.makeSemaphore(1); yield* s.withPermits(1)(Effect.void) }))
run("promise", () => Effect.promise(() => Promise.resolve(1)))
run("sleep0", () => Effect.promise(() => new Promise((r) => setTimeout(r, 1))))
