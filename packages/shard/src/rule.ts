/**
 * A business rule of a model, checked after every field has its right type.
 *
 * Rules run in declaration order and all of them run, so a record gets every message that
 * applies, in a stable order (the seed's order for its three models).
 */
export interface Rule<A> {
  /** Stable identifier for reports and filters, e.g. `price-positive`. */
  readonly name: string
  /** The message a user sees, e.g. `Price must be positive`. */
  readonly message: string
  readonly fields: ReadonlyArray<keyof A & string>
  /** The first field of `record` that breaks the rule, or undefined when it holds; allocates nothing. */
  readonly brokenField: (record: A) => (keyof A & string) | undefined
}

/** How a rule is declared: the fields it constrains and what each of their values must satisfy. */
export interface RuleSpec<A, K extends keyof A & string> {
  readonly name: string
  readonly message: string
  readonly fields: readonly [K, ...ReadonlyArray<K>]
  readonly holds: (value: A[K]) => boolean
}

/** Builds a {@link Rule}; handed to a shard's `rules` declaration so field types are inferred. */
export type RuleBuilder<A> = <K extends keyof A & string>(spec: RuleSpec<A, K>) => Rule<A>

export const ruleFor =
  <A>(): RuleBuilder<A> =>
  (spec) => ({
    name: spec.name,
    message: spec.message,
    fields: spec.fields,
    brokenField: (record) => {
      for (const field of spec.fields) if (!spec.holds(record[field])) return field
      return undefined
    }
  })
