import { redactSecrets } from "../config/redact.ts"
import { isUrl } from "../config/database-location.ts"
import { displayPath } from "../common-options.ts"

/**
 * A database's location as it is shown, in a table, a message or a report: a server's URL
 * without its password, a file's path as the user would type it (relative to where they ran the
 * command when inside it).
 */
export const shownLocation = (location: string): string => (isUrl(location) ? redactSecrets(location) : displayPath(location))

/** A location as `--json` gives it: a file's absolute path as it is, a server's URL without its password. */
export const jsonLocation = (location: string | null): string | null => (location === null || !isUrl(location) ? location : redactSecrets(location))
