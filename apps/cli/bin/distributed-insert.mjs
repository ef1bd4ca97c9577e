#!/usr/bin/env node
// The `distributed-insert` command: builds the bundle if its sources changed since it was
// built (see ../scripts/build-if-stale.mjs), then runs it in this same process, so signals
// (Ctrl-C) and exit codes are the CLI's own.
import { buildIfStale } from "../scripts/build-if-stale.mjs"

try {
  buildIfStale()
} catch (error) {
  process.stderr.write(`error: ${error.message}\n`)
  process.exit(1)
}
await import("../dist/main.js")
