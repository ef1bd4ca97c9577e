import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import initSqlJs, { type SqlJsStatic } from "sql.js"

let loaded: Promise<SqlJsStatic> | undefined

/**
 * The sql.js module, compiled once per process. The wasm is resolved from this package's own
 * dependency on sql.js, not from the working directory, so it works wherever the CLI runs.
 */
export const loadSqlJs = (): Promise<SqlJsStatic> => {
  loaded ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm")
    const wasm = await readFile(wasmPath)
    return initSqlJs({ wasmBinary: new Uint8Array(wasm).buffer })
  })()
  return loaded
}
