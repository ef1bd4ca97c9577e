/** The seed's ten orders; 8 and 9 have no positive quantity, 10 names product 11, which does not exist. */
export const sampleOrders = [
  { id: 1, user_id: 1, product_id: 1, quantity: 2 },
  { id: 2, user_id: 2, product_id: 2, quantity: 1 },
  { id: 3, user_id: 3, product_id: 3, quantity: 5 },
  { id: 4, user_id: 4, product_id: 4, quantity: 1 },
  { id: 5, user_id: 5, product_id: 5, quantity: 3 },
  { id: 6, user_id: 6, product_id: 6, quantity: 4 },
  { id: 7, user_id: 7, product_id: 7, quantity: 2 },
  { id: 8, user_id: 8, product_id: 8, quantity: 0 },
  { id: 9, user_id: 9, product_id: 1, quantity: -1 },
  { id: 10, user_id: 10, product_id: 11, quantity: 2 }
]
