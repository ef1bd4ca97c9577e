import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import initSqlJs, { type SqlJsStatic } from "sql.js"

type InstantiateWasm = NonNullable<NonNullable<Parameters<typeof initSqlJs>[0]>["instantiateWasm"]>
type WasmImports = Parameters<InstantiateWasm>[0]
type WasmInstance = Parameters<Parameters<InstantiateWasm>[1]>[0]

/** The WebAssembly global; Node has it, but TypeScript declares its value only in the DOM lib. */
const wasmApi: {
  readonly compile: (bytes: Uint8Array) => Promise<WebAssembly.Module>
  readonly instantiate: (module: WebAssembly.Module, imports: WasmImports) => Promise<WasmInstance>
} = Reflect.get(globalThis, "WebAssembly")

let compiled: Promise<WebAssembly.Module> | undefined
let loaded: Promise<SqlJsStatic> | undefined

/**
 * sql.js's WebAssembly, compiled once per process. A worker thread is handed the main thread's
 * module (`useCompiledSqlJs`) rather than compiling its own: V8 shares the compiled code
 * between threads, which saves each worker the compile time and its memory.
 * The wasm is resolved from this package's own dependency on sql.js, not from the working
 * directory, so it works wherever the CLI runs.
 */
export const compileSqlJs = (): Promise<WebAssembly.Module> => {
  compiled ??= (async () => {
    const wasm = await readFile(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"))
    return wasmApi.compile(new Uint8Array(wasm))
  })()
  return compiled
}

/** Makes this thread use a module compiled elsewhere (the main thread's, passed to a worker). */
export const useCompiledSqlJs = (module: WebAssembly.Module): void => {
  compiled ??= Promise.resolve(module)
}

/** The sql.js API, instantiated once per thread from the compiled module. */
export const loadSqlJs = (): Promise<SqlJsStatic> => {
  loaded ??= compileSqlJs().then((module) =>
    initSqlJs({
      instantiateWasm: (imports, receive) => {
        wasmApi.instantiate(module, imports).then(receive, (error: unknown) => {
          loaded = undefined
          throw error
        })
        // Emscripten's contract: return nothing now, call `receive` when instantiated.
        return undefined
      }
    })
  )
  return loaded
}
