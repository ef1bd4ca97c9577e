import { Result, type Schema, SchemaAST } from "effect"
import { numberKindOf } from "./field-kinds.ts"

/**
 * A column's type, said without an engine; each storage backend renders it in its own dialect.
 *
 * - `integer`: a whole number up to ±2^53 (`Schema.Int`): SQLite `INTEGER`, PostgreSQL `BIGINT`
 *   (its `integer` is 32 bits, too small for JavaScript's safe integers).
 * - `real`: a finite double (`Schema.Finite`): SQLite `REAL`, PostgreSQL `DOUBLE PRECISION`.
 * - `text`: a string (`Schema.String`): `TEXT` in both.
 */
export type ColumnType = "integer" | "real" | "text"

/** One column of a table, as a record's field declares it. */
export interface ColumnDefinition {
  readonly name: string
  readonly type: ColumnType
  /** False for a field that takes `null` (`Schema.NullOr`). */
  readonly notNull: boolean
}

/**
 * A table, said without an engine: what a `createTable` migration creates, and what a shard's
 * table must agree with whatever created it.
 */
export interface TableDefinition {
  readonly table: string
  /** In the record's field order, which is the order rows are inserted in. */
  readonly columns: ReadonlyArray<ColumnDefinition>
  /** The column that is the table's primary key (one column, as a shard's key is). */
  readonly primaryKey: string
}

/**
 * The columns a record `Schema.Struct` declares, from its type side (what is stored): `Schema.Int`
 * is `integer`, `Schema.Finite` `real`, `Schema.String` `text`; a literal, or a union of literals
 * of one kind (`Schema.Literals`, `Schema.Enum`), has its values' type; `Schema.NullOr(...)` is
 * nullable, anything else NOT NULL. Checks (a minimum, a length, a pattern) do not change the type.
 *
 * Fails, saying which field and why, for a field no engine stores as one plain column: a number
 * that may be NaN or ±Infinity (`Schema.Number`: SQLite would turn NaN into NULL), a boolean, a
 * union of different types, an optional key, a transformation's type...
 */
export const columnDefinitionsOf = (record: Schema.Top): Result.Result<ReadonlyArray<ColumnDefinition>, string> => {
  const struct = SchemaAST.toType(record.ast)
  if (!SchemaAST.isObjects(struct) || struct.propertySignatures.length === 0) return Result.fail("`record` is not a Schema.Struct with one field per column")
  const columns: Array<ColumnDefinition> = []
  for (const field of struct.propertySignatures) {
    const name = String(field.name)
    if (SchemaAST.isOptional(field.type)) return Result.fail(`field ${name} is optional; a column needs a value in every row (use Schema.NullOr for a nullable one)`)
    const column = columnOf(name, field.type)
    if (Result.isFailure(column)) return Result.fail(column.failure)
    columns.push(column.success)
  }
  return Result.succeed(columns)
}

/**
 * The table of `shard`: its columns under its table name and primary key. Fails when its columns
 * cannot be derived (see {@link columnDefinitionsOf}) or its key is not a NOT NULL column.
 */
export const tableDefinitionOf = (shard: {
  readonly table: string
  readonly primaryKey: string
  readonly columnDefinitions: Result.Result<ReadonlyArray<ColumnDefinition>, string>
}): Result.Result<TableDefinition, string> =>
  Result.flatMap(shard.columnDefinitions, (columns) => {
    const key = columns.find((column) => column.name === shard.primaryKey)
    if (key === undefined) return Result.fail(`the primary key ${shard.primaryKey} is not one of the fields (${columns.map((column) => column.name).join(", ")})`)
    if (!key.notNull) return Result.fail(`the primary key ${shard.primaryKey} takes null; a key needs a value in every row`)
    return Result.succeed({ table: shard.table, columns, primaryKey: shard.primaryKey })
  })

const columnOf = (name: string, ast: SchemaAST.AST): Result.Result<ColumnDefinition, string> => {
  // Schema.NullOr(X) is the union of X and Null: nullable X.
  const members = SchemaAST.isUnion(ast) ? ast.types : [ast]
  const values = members.filter((member) => !SchemaAST.isNull(member))
  const notNull = values.length === members.length
  const types = new Set<ColumnType | undefined>(values.flatMap(typesOf))
  // Whole and fractional numeric literals together (1 | 2.5) are doubles.
  if (types.has("integer") && types.has("real")) types.delete("integer")
  const [type] = types
  if (values.length === 0 || types.size !== 1 || type === undefined) {
    return Result.fail(`field ${name} has no column type every engine stores it as (Schema.Int, Schema.Finite, Schema.String, their literals, or Schema.NullOr of one of them)`)
  }
  return Result.succeed({ name, type, notNull })
}

/** The column types of the values `ast` accepts; undefined for a value no column type holds. */
const typesOf = (ast: SchemaAST.AST): ReadonlyArray<ColumnType | undefined> => {
  // A transformation's type side says what is stored only if it is a plain value; leave it to the author.
  if (ast.encoding !== undefined) return [undefined]
  if (SchemaAST.isString(ast)) return ["text"]
  if (SchemaAST.isNumber(ast)) {
    const kind = numberKindOf(ast)
    return [kind === "int" ? "integer" : kind === "finite" ? "real" : undefined]
  }
  if (SchemaAST.isLiteral(ast)) return [literalType(ast.literal)]
  if (SchemaAST.isEnum(ast)) return ast.enums.map(([, value]) => literalType(value))
  // A union of literals (Schema.Literals) holds its members' type, if they share one.
  if (SchemaAST.isUnion(ast)) return ast.types.flatMap(typesOf)
  return [undefined]
}

const literalType = (literal: SchemaAST.LiteralValue): ColumnType | undefined => {
  if (typeof literal === "string") return "text"
  if (typeof literal === "number") return Number.isSafeInteger(literal) ? "integer" : Number.isFinite(literal) ? "real" : undefined
  return undefined
}
