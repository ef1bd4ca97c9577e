/** The seed's ten users; user 8 repeats Alice's name and email, user 10 has no name. */
export const sampleUsers = [
  { id: 1, name: "Alice", email: "alice@example.com" },
  { id: 2, name: "Bob", email: "bob@example.com" },
  { id: 3, name: "Charlie", email: "charlie@example.com" },
  { id: 4, name: "David", email: "david@example.com" },
  { id: 5, name: "Eve", email: "eve@example.com" },
  { id: 6, name: "Frank", email: "frank@example.com" },
  { id: 7, name: "Grace", email: "grace@example.com" },
  { id: 8, name: "Alice", email: "alice@example.com" },
  { id: 9, name: "Henry", email: "henry@example.com" },
  { id: 10, name: "", email: "jane@example.com" }
]
