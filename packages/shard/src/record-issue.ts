/** Why a record did not land: a broken rule or type (`validation`), or the database refused it. */
export interface RecordIssue {
  readonly kind: "validation" | "database"
  /** The offending field, when one is known. */
  readonly field: string | null
  /** The rule's name (`price-positive`), or the type check that failed (`type`, `required`, `unknown-field`). */
  readonly rule: string | null
  readonly message: string
}
