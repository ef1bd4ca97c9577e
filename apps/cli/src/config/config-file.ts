import { readFile, stat } from "node:fs/promises"
import { resolve } from "node:path"
import { Effect, Option, Schema, SchemaIssue } from "effect"
import { invocationDir } from "../common-options.ts"
import { ConfigError } from "./config-error.ts"

/** The configuration file read from the directory the command runs in, when there is one. */
export const CONFIG_FILE_NAME = "distributed-insert.config.json"

/**
 * What a configuration file holds: where each database is (`databases`: name → a file path or a
 * `postgres://` URL) and the directory of the databases it does not place (`dataDir`). Both
 * optional; any other key is refused, so that a misspelt one (`datadir`) is not silently ignored.
 */
const ConfigFileSchema = Schema.Struct({
  dataDir: Schema.optionalKey(Schema.String),
  databases: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
})

const KEYS = ["dataDir", "databases"]

/** A configuration file as read: its path, and what it says, as written (paths not yet resolved). */
export interface ConfigFile {
  readonly path: string
  readonly dataDir: string | undefined
  readonly databases: Readonly<Record<string, string>>
}

/**
 * The configuration file of this run: the one `--config` names (relative to where the command
 * runs; it must exist), else `distributed-insert.config.json` in that directory if there is one,
 * else none.
 */
export const findConfigFile = (given: Option.Option<string>): Effect.Effect<ConfigFile | undefined, ConfigError> =>
  Option.match(given, {
    onSome: (path) => readConfigFile(resolve(invocationDir(), path), "given"),
    onNone: () => readConfigFile(resolve(invocationDir(), CONFIG_FILE_NAME), "default")
  })

const readConfigFile = (path: string, how: "given" | "default"): Effect.Effect<ConfigFile | undefined, ConfigError> =>
  Effect.gen(function* () {
    const fail = (reason: string, cause?: unknown) => new ConfigError({ file: path, reason, ...(cause === undefined ? {} : { cause }) })
    const found = yield* Effect.tryPromise({
      try: () => stat(path).catch((error: unknown) => (codeOf(error) === "ENOENT" ? undefined : Promise.reject(error))),
      catch: (cause) => fail(`cannot be read: ${reasonOf(cause)}`, cause)
    })
    if (found === undefined) return how === "default" ? undefined : yield* fail("it does not exist (given with --config)")
    // Not read unless it is a file: a FIFO would block the command, and a directory says nothing.
    if (!found.isFile()) return yield* fail("it is not a regular file")
    const text = yield* Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (cause) => fail(`cannot be read: ${reasonOf(cause)}`, cause) })
    const json = yield* Effect.try({ try: (): unknown => JSON.parse(text), catch: (cause) => fail(`not valid JSON: ${reasonOf(cause)}`, cause) })
    const decoded = yield* Effect.mapError(Schema.decodeUnknownEffect(ConfigFileSchema)(json, { errors: "all", onExcessProperty: "error" }), (error) =>
      fail(problemsOf(error.issue).join("; "), error)
    )
    return { path, dataDir: decoded.dataDir, databases: decoded.databases ?? {} }
  })

/** What is wrong with a configuration that decodes as JSON, one sentence per problem, each naming its key. */
const problemsOf = (issue: SchemaIssue.Issue): ReadonlyArray<string> =>
  SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues.map(({ path, message }) => {
    const keys = (path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment))
    const [first, second] = keys
    if (first === undefined) return `it must hold one JSON object, such as { "databases": { "users": "data/users.db" } }`
    if (message === "Expected no excess property") return `unknown key ${JSON.stringify(first)}: the keys are ${KEYS.map((key) => JSON.stringify(key)).join(" and ")}`
    if (first === "databases" && second !== undefined) return `${keyPath(keys)}: expected a location, as a string: a file path or a postgres:// URL`
    if (first === "databases") return `databases: expected an object of database names and their locations`
    if (first === "dataDir") return "dataDir: expected a directory path, as a string"
    return `${keyPath(keys)}: ${message}`
  })

/** `databases.users`, or `databases["my db"]` for a key that is not a plain word. */
export const keyPath = (keys: ReadonlyArray<string>): string =>
  keys.map((key, index) => (/^[A-Za-z_][\w-]*$/.test(key) ? `${index === 0 ? "" : "."}${key}` : `[${JSON.stringify(key)}]`)).join("")

const codeOf = (error: unknown): unknown => (typeof error === "object" && error !== null && "code" in error ? error.code : undefined)

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))
