/**
 * Query parameters of a libpq connection URL that hold a secret: the password itself, and the
 * passphrase of a client key (`sslpassword`).
 */
const SECRET_PARAMETERS: ReadonlySet<string> = new Set(["password", "sslpassword"])

/**
 * `url` without its password, for messages and reports: `postgres://user:secret@h:5432/db` is
 * `postgres://user@h:5432/db`, and a `password=` query parameter is dropped. Input that does not
 * parse as a URL is still cleaned of whatever looks like a password (a `user:secret@` part, a
 * `password=` pair as in a libpq `key=value` string): this runs on what a user typed, and a
 * message about a malformed URL must not be the place where its password leaks. It errs on the
 * side of removing too much: a text that merely looks like `//host:port/path@...` loses its port
 * and path.
 */
export const redactUrl = (url: string): string => {
  // Unparsable: anything up to the last `@` of the text may be the password.
  if (!URL.canParse(url)) return redactText(url, /(\/\/[^/:@?#\s]*):\S*@/g)
  const parsed = new URL(url)
  parsed.password = ""
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETERS.has(key.toLowerCase())) parsed.searchParams.delete(key)
  }
  // Cleaned as text too: an unescaped `/` in a password makes URL parsing read part of it as a
  // port and the rest as the path (`//u:12/34@h/db`), where it would otherwise stay.
  return redactText(parsed.toString(), /(\/\/[^/:@?#\s]*):[^?#\s]*@/g)
}

/**
 * Removes from text everything that could be a password: the part of the user information that
 * `userInfo` matches (what follows the first `:` after `//` up to an `@`), and
 * `password=`/`sslpassword=` values (quoted or not) up to the next `&`, space or end.
 */
const redactText = (text: string, userInfo: RegExp): string =>
  text
    .replace(userInfo, "$1@")
    .replace(/(^|[?&\s])(?:ssl)?password\s*=\s*(?:'(?:[^'\\]|\\.)*'|"[^"]*"|[^&\s]*)&?/gi, "$1")
    .replace(/[?&]$/, "")
