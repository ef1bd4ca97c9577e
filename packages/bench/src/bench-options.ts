import { parseArgs } from "node:util"
import { seedShards } from "@distributed-insert/seed-shards"
import { type MeterChoice, meterChoices } from "./measure/process-meter.ts"
import type { PostgresChoice } from "./postgres/bench-postgres.ts"

export type SizeName = "small" | "large"

interface Size {
  readonly recordsPerShard: number
  /** Runs per contestant by default; medians are reported. */
  readonly repetitions: number
}

/** `large` is `pnpm bench`; `small` is for quick checks. Two runs at 1M keep the whole run near 5 minutes. */
export const sizes: Readonly<Record<SizeName, Size>> = {
  small: { recordsPerShard: 100_000, repetitions: 3 },
  large: { recordsPerShard: 1_000_000, repetitions: 2 }
}

export interface BenchOptions {
  readonly size: SizeName
  readonly recordsPerShard: number
  readonly repetitions: number
  /** A directory already holding `<shard>.ndjson` files, used instead of generating them. */
  readonly dataDir: string | null
  readonly meter: MeterChoice
  /** PostgreSQL contestants (issue 11): the server, or why they are off. */
  readonly postgres: PostgresChoice
  /** The naive PostgreSQL baseline loads only this many records per shard (records/s extrapolated); null: all. */
  readonly pgNaiveRecords: number | null
  /** The scaling benchmark (scaling.ts): after the 3-shard one, instead of it, or not at all. */
  readonly scaling: "on" | "off" | "only"
  readonly help: boolean
}

const shardCount = seedShards.length

export const usage = `Usage: pnpm bench [-- options]   (from the repository root)

Loads the seed's shards (${seedShards.map((shard) => shard.name).join(", ")}), and no other shard the CLI registers.

  --size small|large     ${shardCount} x 100,000 or ${shardCount} x 1,000,000 records (default large)
  --repeat N             runs per contestant, medians reported (default 3 small, 2 large)
  --data DIR             use ${seedShards.map((shard) => `DIR/${shard.name}.ndjson`).join(", ")}
                         instead of generating them with the CLI's \`generate\`
  --rss-meter auto|gnu-time|python3
                         how peak RSS is read (default auto: GNU time, else python3)
  --postgres URL|off     also measure PostgreSQL (populate into PostgreSQL shards, a naive
                         node-postgres baseline, psql \\copy): a postgres:// URL whose user may
                         CREATE DATABASE; each run gets its own databases there, dropped after it
                         (default: $DISTRIBUTED_INSERT_TEST_PG when set, else off)
  --pg-naive-records N   the naive PostgreSQL baseline loads only the first N records of each
                         shard and its records/s are extrapolated (it is slow: about 3 round trips
                         per record); default all
  --scaling on|off|only  also run the scaling benchmark (one shard at 1M, 2M and 4M records,
                         with and without checkpoints; results/scaling.md), or only it
                         (default: on for large, off for small)
  --help                 this text

Writes packages/bench/results/<size>.md when every contestant ran and the counts agree.`

const isSizeName = (value: string): value is SizeName => value === "small" || value === "large"
const isMeterChoice = (value: string): value is MeterChoice => meterChoices.some((choice) => choice === value)

/** Parses the benchmark's arguments; throws with the usage on anything it does not understand. */
export const parseBenchOptions = (argv: ReadonlyArray<string>): BenchOptions => {
  const { values } = parseArgs({
    // `pnpm bench -- --size small` hands the separator on to the script.
    args: argv.filter((argument) => argument !== "--"),
    options: {
      size: { type: "string", default: "large" },
      repeat: { type: "string" },
      data: { type: "string" },
      "rss-meter": { type: "string", default: "auto" },
      postgres: { type: "string" },
      "pg-naive-records": { type: "string" },
      scaling: { type: "string" },
      help: { type: "boolean", default: false }
    },
    strict: true
  })
  if (!isSizeName(values.size)) throw new Error(`--size must be small or large, got "${values.size}"\n\n${usage}`)
  const meter = values["rss-meter"]
  if (!isMeterChoice(meter)) throw new Error(`--rss-meter must be one of ${meterChoices.join(", ")}, got "${meter}"\n\n${usage}`)
  const scaling = values.scaling ?? (values.size === "large" ? "on" : "off")
  if (scaling !== "on" && scaling !== "off" && scaling !== "only") throw new Error(`--scaling must be on, off or only, got "${scaling}"\n\n${usage}`)
  const size = sizes[values.size]
  const repetitions = values.repeat === undefined ? size.repetitions : Number(values.repeat)
  if (!Number.isInteger(repetitions) || repetitions < 1) throw new Error(`--repeat must be a positive integer, got "${values.repeat}"`)
  const pgNaiveRecords = values["pg-naive-records"] === undefined ? null : Number(values["pg-naive-records"])
  if (pgNaiveRecords !== null && !(Number.isInteger(pgNaiveRecords) && pgNaiveRecords > 0)) {
    throw new Error(`--pg-naive-records must be a positive integer, got "${values["pg-naive-records"]}"`)
  }
  return {
    size: values.size,
    recordsPerShard: size.recordsPerShard,
    repetitions,
    dataDir: values.data ?? null,
    meter,
    postgres: postgresChoice(values.postgres),
    pgNaiveRecords,
    scaling,
    help: values.help
  }
}

const POSTGRES_ENV = "DISTRIBUTED_INSERT_TEST_PG"

/** `--postgres URL|off`, else the test server of .ci/postgres.sh when its variable is set. */
const postgresChoice = (given: string | undefined): PostgresChoice => {
  if (given === "off") return { off: "`--postgres off`" }
  const url = given ?? process.env[POSTGRES_ENV]
  if (url === undefined || url === "") return { off: `no server given (\`--postgres URL\`, or ${POSTGRES_ENV} set as .ci/postgres.sh does)` }
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`--postgres expects a postgres:// URL or off${given === undefined ? ` (from ${POSTGRES_ENV})` : ""}`)
  return { url }
}
