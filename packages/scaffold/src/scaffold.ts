import { Result } from "effect"
import { type Registration, SEED_SHARD_PACKAGES } from "./registration.ts"
import { renderPackage } from "./render-package.ts"
import { planShard, type ShardRequest, shardPackageName } from "./shard-spec.ts"
import { installWorkspace, readWorkspace, removePackage, type Workspace, writePackage, writeRegistrations } from "./workspace.ts"

/** 0: done; 1: something failed (a file, a package that does not load, pnpm install); 2: refused (usage, names). */
export type ExitCode = 0 | 1 | 2

/** Where the commands write: `out` what they did and what comes next, `err` why they refused or failed. */
export interface Output {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

export interface CommandOptions {
  /** Run `pnpm install` once the workspace changed (the default); false to leave it to the caller. */
  readonly install: boolean
}

/**
 * `pnpm new-shard NAME --field ...`: writes packages/shard-NAME, registers it with the CLI after
 * the shards already registered, installs, and says what to do next. Refuses (2), writing
 * nothing, whatever `planShard` refuses.
 */
export const newShard = async (root: string, request: ShardRequest, options: CommandOptions, output: Output): Promise<ExitCode> => {
  const workspace = await readWorkspace(root)
  const plan = planShard(request, workspace.taken)
  if (Result.isFailure(plan)) {
    output.err(`error: cannot create the shard${request.name === undefined ? "" : ` ${request.name}`}:`)
    for (const problem of plan.failure) output.err(`  - ${problem}`)
    output.err("See 'pnpm new-shard --help'.")
    return 2
  }
  const spec = plan.success
  const files = renderPackage(spec)
  await writePackage(root, spec.packageDir, files)
  output.out(`Created ${spec.packageDir} (model ${spec.model}, table ${spec.table}, primary key ${spec.primaryKey}):`)
  for (const file of files) output.out(`  ${spec.packageDir}/${file.path}`)
  const registered = await writeRegistrations(root, [...currentRegistrations(workspace), { packageName: spec.packageName, exportName: spec.exportName }])
  output.out(`Registered with the CLI, after the shards already there: ${registered.join(", ")}`)
  if (!install(root, options, output)) return 1
  const declaration = `${spec.packageDir}/src/${spec.name}.ts`
  output.out("")
  output.out("Next:")
  output.out(`  1. Edit ${declaration}: the record's fields, the rules, the sample (its outcomes are in`)
  output.out(`     ${spec.packageDir}/src/${spec.name}.test.ts) and the generators. See README.md, "Adding a shard".`)
  output.out(`  2. pnpm --filter cli start populate      # loads ${spec.name} beside the other shards`)
  output.out(`  3. pnpm test                             # or only its tests: pnpm --filter ${spec.packageName} test`)
  return 0
}

/**
 * `pnpm new-shard --remove NAME`: unregisters the shard package NAME from the CLI, deletes its
 * folder and installs. The seed's shards are not removed (plugins.ts, the README and the CLI's
 * tests are theirs). Its data file, if a run wrote one, is left as it is.
 */
export const removeShard = async (root: string, name: string, options: CommandOptions, output: Output): Promise<ExitCode> => {
  const packageName = shardPackageName(name)
  if (SEED_SHARD_PACKAGES.includes(packageName)) {
    output.err(`error: ${name} is one of the seed's shards, which @distributed-insert/seed-shards lists (apps/cli/src/plugins.ts registers them first); remove it there by hand if you mean to`)
    return 2
  }
  const workspace = await readWorkspace(root)
  const found = workspace.shardPackages.find((pkg) => pkg.packageName === packageName)
  const registered = workspace.registrations.some((registration) => registration.packageName === packageName)
  if (found === undefined && !registered) {
    output.err(`error: there is no shard package ${packageName} in this workspace, nor one registered with the CLI`)
    return 2
  }
  // Unregistered before the folder goes: a failure in between leaves a package the CLI does not import, which builds.
  const changed = await writeRegistrations(
    root,
    workspace.registrations.filter((registration) => registration.packageName !== packageName)
  )
  if (changed.length > 0) output.out(`Unregistered ${packageName} from the CLI: ${changed.join(", ")}`)
  if (found !== undefined) {
    await removePackage(root, found.dir)
    output.out(`Deleted ${found.dir}`)
  }
  if (!install(root, options, output)) return 1
  output.out(`Its data file (<data-dir>/${name}.db), if a run wrote one, is left as it is.`)
  return 0
}

/**
 * `pnpm new-shard --sync`: registers exactly the shard packages the workspace has: those the
 * list already has and that still exist, in its order, then any other (made by hand), by package
 * name. What to run after deleting a shard package's folder by hand, or adding one.
 */
export const syncShards = async (root: string, options: CommandOptions, output: Output): Promise<ExitCode> => {
  const workspace = await readWorkspace(root)
  const registrations = [...currentRegistrations(workspace), ...unregisteredShards(workspace)]
  const changed = await writeRegistrations(root, registrations)
  if (changed.length === 0) {
    output.out(`The CLI's registration is up to date: ${describe(registrations)}`)
    return 0
  }
  output.out(`Registered with the CLI: ${describe(registrations)} (${changed.join(", ")})`)
  return install(root, options, output) ? 0 : 1
}

/** The registrations the list has whose package is still there and still exports that shard. */
const currentRegistrations = (workspace: Workspace): ReadonlyArray<Registration> =>
  workspace.registrations.filter((registration) =>
    workspace.shardPackages.some((pkg) => pkg.packageName === registration.packageName && pkg.shards.some((shard) => shard.exportName === registration.exportName))
  )

/** Every shard of a shard package that is neither the seed's nor listed, by package name, then in export order. */
const unregisteredShards = (workspace: Workspace): ReadonlyArray<Registration> =>
  [...workspace.shardPackages]
    .filter((pkg) => !SEED_SHARD_PACKAGES.includes(pkg.packageName))
    .sort((left, right) => (left.packageName < right.packageName ? -1 : 1))
    .flatMap((pkg) => pkg.shards.map((shard) => ({ packageName: pkg.packageName, exportName: shard.exportName })))
    .filter((registration) => !workspace.registrations.some((known) => known.packageName === registration.packageName && known.exportName === registration.exportName))

const describe = (registrations: ReadonlyArray<Registration>): string =>
  registrations.length === 0 ? "the seed's shards alone" : `the seed's shards, then ${registrations.map((registration) => registration.exportName).join(", ")}`

const install = (root: string, options: CommandOptions, output: Output): boolean => {
  if (!options.install) {
    output.out("Not installed (--no-install): run `pnpm install` before building or testing.")
    return true
  }
  if (installWorkspace(root, output.out)) return true
  output.err("error: pnpm install failed (see above); the workspace is written, so run `pnpm install` again once the cause is fixed")
  return false
}
