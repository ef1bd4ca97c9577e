/**
 * File-system helpers the storage engines and the pipeline share: opening only regular files,
 * atomic replacement of a file, and telling whether two paths are one file.
 *
 * @module
 */
export { type FileVersion, sameVersion, versionOf, writeFileAtomic } from "./atomic-file.ts"
export { makeDirectory } from "./make-directory.ts"
export { codeOf, kindOf, NotRegularFileError, openRegularFile, openRegularFileSync } from "./regular-file.ts"
export { identityOf, resolveLinks, sameFile, sameIdentity, statIfPresent } from "./same-file.ts"
