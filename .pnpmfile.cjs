// pnpm prints a banner on stdout before running a script ("> @distributed-insert/cli@0.1.0
// start /path", "> node bin/distributed-insert.mjs ..."), which breaks the JSON that
// `pnpm --filter cli start shards --json` must print. pnpm only leaves it out under its silent
// reporter, which would also hide pnpm's own messages (install progress, errors) if set for
// everything in .npmrc. So it is set here, for the `start` script only: that is how the README
// runs the CLI, and the CLI reports its own errors. `--reporter` on the command line wins.
// (The hook is pnpm's `updateConfig`, https://pnpm.io/pnpmfile#hooksupdateconfigconfig.)

/** pnpm options that take a value as the next argument, which is then not the command. */
const OPTIONS_WITH_VALUE = new Set(["--filter", "-F", "--filter-prod", "--dir", "-C", "--test-pattern", "--changed-files-ignore-pattern", "--loglevel", "--reporter"])

/** The script a pnpm command line runs: `start` for `pnpm --filter cli start ...` or `pnpm run start`. */
const scriptOf = (args) => {
  const positional = []
  for (let index = 0; index < args.length && positional.length < 2; index++) {
    const arg = args[index]
    if (arg === "--") break
    if (OPTIONS_WITH_VALUE.has(arg)) index++
    else if (!arg.startsWith("-")) positional.push(arg)
  }
  const [command, script] = positional
  return command === "run" || command === "run-script" ? script : command
}

module.exports = {
  hooks: {
    updateConfig(config) {
      const args = process.argv.slice(2)
      const reporterGiven = args.some((arg) => arg === "--reporter" || arg.startsWith("--reporter=") || arg === "--silent" || arg === "-s")
      if (scriptOf(args) === "start" && !reporterGiven) config.reporter = "silent"
      return config
    }
  }
}
