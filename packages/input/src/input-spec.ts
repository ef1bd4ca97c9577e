import { Result } from "effect"
import { InputError } from "./input-error.ts"

/** Which shard reads which input, from a `SHARD=PATH` argument. */
export interface InputSpec {
  /** A shard or model name, as given: resolving it is the registry's job. */
  readonly shard: string
  /** A file path, or `-` for stdin. */
  readonly path: string
}

/**
 * Parses `users=path/to/file.csv` into its shard and path. Only the first `=` separates them,
 * since a path may contain `=` but a shard name cannot.
 */
export const parseInputSpec = (spec: string): Result.Result<InputSpec, InputError> => {
  const separator = spec.indexOf("=")
  const shard = separator === -1 ? "" : spec.slice(0, separator)
  const path = separator === -1 ? "" : spec.slice(separator + 1)
  if (shard.length === 0 || path.length === 0) {
    return Result.fail(new InputError({ origin: spec, reason: "expected SHARD=PATH, e.g. users=data/users.csv (PATH - is stdin)" }))
  }
  return Result.succeed({ shard, path })
}
