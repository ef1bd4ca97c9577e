/**
 * What may be shown of a database location or of a message that quotes one: a PostgreSQL URL's
 * password is taken out (`postgres://app:secret@db1/shop` → `postgres://app@db1/shop`), and so
 * is the value of a `password=` parameter (`?password=secret` → `?password=***`). Everything the
 * CLI prints about a location goes through it, whatever the storage that made the text:
 * terminals, logs and CI output keep what they are shown.
 *
 * The password ends at the last `@` before the host (an unencoded `@` in a password is read as
 * URL parsers read it); a password holding `/`, `?`, `#` or a space must be percent-encoded, as
 * in any URL, or the URL would not say where its host starts (the configuration refuses such a
 * URL without showing it: see database-location.ts).
 */
export const redactSecrets = (text: string): string =>
  text.replace(URL_PASSWORD, "$1@").replace(PASSWORD_PARAMETER, "$1***")

/** `scheme://user:password@`: everything from the `:` after the user to the last `@` before a `/`, `?`, `#` or space. */
const URL_PASSWORD = /\b(postgres(?:ql)?:\/\/[^\s:/?#@]*):[^\s/?#]*@/gi

/** `?password=...` or `&password=...`, libpq's other way of giving a password in a URL. */
const PASSWORD_PARAMETER = /([?&]password=)[^&\s#]*/gi
