import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { planShard, type ShardRequest, type TakenNames } from "./shard-spec.ts"

/** The seed's workspace, as far as names go. */
const seed: TakenNames = {
  packageNames: new Set(["@distributed-insert/shard", "@distributed-insert/shard-users", "@distributed-insert/shard-orders", "@distributed-insert/cli"]),
  packageDirs: new Set(["packages/shard", "packages/shard-users", "packages/shard-orders", "apps/cli"]),
  shards: [
    { name: "users", model: "User", table: "users" },
    { name: "products", model: "Product", table: "products" },
    { name: "orders", model: "Order", table: "orders" }
  ]
}

const reviews: ShardRequest = { name: "reviews", fields: ["id:int", "product_id:int", "stars:int"], primaryKey: "id", model: undefined }

const problemsOf = (request: Partial<ShardRequest>, taken = seed): ReadonlyArray<string> => {
  const plan = planShard({ ...reviews, ...request }, taken)
  return Result.isFailure(plan) ? plan.failure : []
}

describe("planShard", () => {
  it("plans the package, model, table and export of a shard from its name and fields", () => {
    expect(planShard(reviews, seed)).toEqual(
      Result.succeed({
        name: "reviews",
        model: "Review",
        table: "reviews",
        exportName: "reviews",
        packageName: "@distributed-insert/shard-reviews",
        packageDir: "packages/shard-reviews",
        fields: [
          { name: "id", type: "int", nullable: false },
          { name: "product_id", type: "int", nullable: false },
          { name: "stars", type: "int", nullable: false }
        ],
        primaryKey: "id"
      })
    )
  })

  it("names the table with _ for -, the export in camelCase, the model singular in PascalCase; the key defaults to the first field", () => {
    const plan = planShard({ name: "order-lines", fields: ["code:text", "note:text?", "weight:real"], primaryKey: undefined, model: undefined }, seed)
    expect(plan).toMatchObject(
      Result.succeed({
        table: "order_lines",
        exportName: "orderLines",
        model: "OrderLine",
        primaryKey: "code",
        fields: [
          { name: "code", type: "text", nullable: false },
          { name: "note", type: "text", nullable: true },
          { name: "weight", type: "real", nullable: false }
        ]
      })
    )
    expect(planShard({ ...reviews, name: "categories", model: undefined }, seed)).toMatchObject(Result.succeed({ model: "Category" }))
    expect(planShard({ ...reviews, name: "boxes" }, seed)).toMatchObject(Result.succeed({ model: "Box" }))
    expect(planShard({ ...reviews, name: "news", model: "NewsItem" }, seed)).toMatchObject(Result.succeed({ model: "NewsItem" }))
  })

  it.each<[string, Partial<ShardRequest>, ReadonlyArray<string>]>([
    ["no name", { name: undefined }, ["no shard name: give it first, e.g. `pnpm new-shard reviews --field id:int ...`"]],
    [
      "a name that is no shard name",
      { name: "Reviews" },
      [`"Reviews" is no shard name: 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter (it becomes a file name)`]
    ],
    [
      "a name that is an SQL keyword",
      { name: "order" },
      [
        "the shard name order is an SQL keyword (SQLite's, or reserved in PostgreSQL); choose another name",
        `shard orders already answers to "order" (by its name, model or table); choose another name`
      ]
    ],
    ["a name that is reserved in PostgreSQL alone", { name: "user" }, ["the shard name user is an SQL keyword (SQLite's, or reserved in PostgreSQL); choose another name", `shard users already answers to "user" (by its name, model or table); choose another name`]],
    ["a name whose table is an SQL keyword", { name: "current-date" }, ["the shard name current-date is an SQL keyword (SQLite's, or reserved in PostgreSQL); choose another name"]],
    ["a name that is a reserved word of JavaScript", { name: "class" }, ["the shard name class is a reserved word of JavaScript; choose another name"]],
    ["a name whose export the generated code uses", { name: "define-shard" }, ["the shard name define-shard would export `defineShard`, a name the generated code uses; choose another name"]],
    [
      "an existing shard's name",
      { name: "users", model: "Member" },
      [
        "packages/shard-users already exists",
        "a package named @distributed-insert/shard-users already exists",
        `shard users already answers to "users" (by its name, model or table); choose another name`
      ]
    ],
    ["an existing shard's model, as the CLI matches it", { name: "product" }, [`shard products already answers to "product" (by its name, model or table); choose another name`]],
    ["a model given that is taken", { model: "ORDER" }, [`shard orders already answers to "order" (by its name, model or table); give another model with --model`]],
    ["a model that is no model name", { model: "review" }, [`--model "review" is no model name: letters and digits, starting with a capital, e.g. Review`]],
    ["no fields", { fields: [], primaryKey: undefined }, ["no fields: give each with --field NAME:TYPE, e.g. --field id:int --field title:text --field rating:real --field note:text?"]],
    ["a field without its type", { fields: ["id:int", "stars"] }, [`--field "stars" is not NAME:TYPE; e.g. --field id:int --field title:text --field rating:real --field note:text?`]],
    ["an unknown field type", { fields: ["id:int", "done:bool"] }, [`field done: unknown type "bool"; the types are int, real, text (add ? for a nullable field: done:text?)`]],
    ["a field named by an SQL keyword", { fields: ["id:int", "group:text"] }, ["field group is an SQL keyword (SQLite's, or reserved in PostgreSQL); choose another name"]],
    ["a field named by a JavaScript reserved word", { fields: ["id:int", "class:text"] }, ["field class is a reserved word of JavaScript; choose another name"]],
    ["a field that is no identifier", { fields: ["id:int", "Stars:int", "2nd:int", "a-b:int"] }, [
      `field "Stars": a field name is 1-63 characters of a-z, 0-9 and _, starting with a letter`,
      `field "2nd": a field name is 1-63 characters of a-z, 0-9 and _, starting with a letter`,
      `field "a-b": a field name is 1-63 characters of a-z, 0-9 and _, starting with a letter`
    ]],
    ["a field given twice", { fields: ["id:int", "stars:int", "stars:real"] }, ["field stars is given twice"]],
    ["a key that is no field", { primaryKey: "uuid" }, ["the primary key uuid is not one of the fields (id, product_id, stars)"]],
    ["a real key", { fields: ["id:real"], primaryKey: "id" }, ["the primary key id is real; a key is an int or a text field"]],
    ["a nullable key", { fields: ["id:int?"], primaryKey: "id" }, ["the primary key id is nullable (id:int?); a key needs a value in every record"]]
  ])("refuses %s, saying why", (_case, request, problems) => {
    expect(problemsOf(request)).toEqual(problems)
  })

  it("lists every problem at once", () => {
    expect(problemsOf({ name: "select", fields: ["id:int", "from:text", "x:blob"], primaryKey: "key" })).toEqual([
      "the shard name select is an SQL keyword (SQLite's, or reserved in PostgreSQL); choose another name",
      "field from is an SQL keyword (SQLite's, or reserved in PostgreSQL); choose another name",
      `field x: unknown type "blob"; the types are int, real, text (add ? for a nullable field: x:text?)`,
      "the primary key key is not one of the fields (id)"
    ])
  })
})
