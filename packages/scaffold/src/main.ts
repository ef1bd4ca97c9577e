// `pnpm new-shard`: a shard package in one command (see scaffold.ts and README.md, "Adding a
// shard"). Node runs this file and what it imports as they are (type stripping; the workspace
// packages through their `source` export condition): no build, for a command run now and then.
import { parseArgs } from "node:util"
import { type ExitCode, newShard, type Output, removeShard, syncShards } from "./scaffold.ts"
import { findWorkspaceRoot } from "./workspace.ts"

const HELP = `pnpm new-shard: add a shard package to this workspace, registered with the CLI.

Usage:
  pnpm new-shard NAME --field NAME:TYPE [--field NAME:TYPE]... [--primary-key FIELD] [--model MODEL] [--no-install]
  pnpm new-shard --remove NAME [--no-install]
  pnpm new-shard --sync [--no-install]

Writes packages/shard-NAME: one defineShard declaration (its table derived from its fields, an
example rule, sample data and generators), its conformance test, and the files every shard
package has; registers it with the CLI after the shards already there (apps/cli/src/added-shards.ts
and apps/cli/package.json); runs pnpm install (from the store, else from the registry).

Options:
  --field NAME:TYPE    A field of the record, in column order. TYPE is int, real or text; add ?
                       for a field that takes null (note:text?)
  --primary-key FIELD  The key: an int or text field, not nullable [default: the first field]
  --model MODEL        The model's name [default: NAME singular, in PascalCase: reviews → Review]
  --remove NAME        Unregister shard package NAME from the CLI and delete its folder
  --sync               Register exactly the shard packages the workspace has (after deleting or
                       adding one by hand)
  --no-install         Leave pnpm install to you
  -h, --help           Print this help

Example:
  pnpm new-shard reviews --field id:int --field product_id:int --field stars:int --primary-key id

Exit codes:
  0  Done
  1  A file could not be written, a shard package could not be loaded, or pnpm install failed
  2  Bad usage, or a name, field or key refused (nothing is written)
`

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}

const usageError = (message: string): ExitCode => {
  output.err(`error: ${message}`)
  output.err("See 'pnpm new-shard --help'.")
  return 2
}

const run = async (args: ReadonlyArray<string>): Promise<ExitCode> => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    output.out(HELP.trimEnd())
    return 0
  }
  const root = findWorkspaceRoot(process.cwd())
  if (root === undefined) return usageError("run it inside the distributed-insert workspace (no pnpm-workspace.yaml here or above)")
  const options = { install: values["no-install"] !== true }
  const modes = [values.remove !== undefined, values.sync === true, positionals.length > 0 || values.field !== undefined].filter(Boolean).length
  if (modes > 1) return usageError("give a new shard's NAME and fields, or --remove NAME, or --sync: one at a time")
  if (positionals.length > 1) return usageError(`one shard at a time; got ${positionals.join(", ")}`)
  if (values.remove !== undefined) return removeShard(root, values.remove, options, output)
  if (values.sync === true) return syncShards(root, options, output)
  return newShard(root, { name: positionals[0], fields: values.field ?? [], primaryKey: values["primary-key"], model: values.model }, options, output)
}

const parse = (args: ReadonlyArray<string>) =>
  parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      field: { type: "string", multiple: true },
      "primary-key": { type: "string" },
      model: { type: "string" },
      remove: { type: "string" },
      sync: { type: "boolean" },
      "no-install": { type: "boolean" },
      help: { type: "boolean", short: "h" }
    }
  })

try {
  process.exitCode = await run(process.argv.slice(2))
} catch (error) {
  output.err(`error: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
