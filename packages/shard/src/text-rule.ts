/**
 * A condition a storage engine sets on every text value it stores, such as "no lone UTF-16
 * surrogate": text that breaks it could be stored but would not read back as it was given. The
 * engine supplies its rules (see the storage package's `ShardDatabase.textRules`); a record
 * with a value that breaks one is rejected like one that breaks a plugin's rule, naming the
 * field and the rule.
 */
export interface TextRule {
  /** The rule's name in reports, e.g. `unpaired-surrogate`. */
  readonly name: string
  readonly message: string
  readonly breaks: (text: string) => boolean
}
