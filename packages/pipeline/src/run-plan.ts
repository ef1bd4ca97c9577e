import type { Shard } from "@distributed-insert/shard"
import type { InputSource } from "./input-source.ts"
import type { LoadSettings } from "./load-settings.ts"
import type { ResultFiles } from "./result-files.ts"

/**
 * How `populate` loads each of its shards, in this thread or a worker's, resolved from its
 * options once: where the shard's records come from and its results go, and the settings.
 */
export interface RunPlan {
  readonly sourceOf: (shard: Shard) => InputSource
  readonly filesOf: (shard: Shard) => ResultFiles
  readonly settings: LoadSettings
  readonly reset: boolean
}
