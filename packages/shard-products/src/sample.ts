/** The seed's ten products; product 7 repeats the laptop, product 10 has a negative price. */
export const sampleProducts = [
  { id: 1, name: "Laptop", price: 1000.0 },
  { id: 2, name: "Smartphone", price: 700.0 },
  { id: 3, name: "Headphones", price: 150.0 },
  { id: 4, name: "Monitor", price: 300.0 },
  { id: 5, name: "Keyboard", price: 50.0 },
  { id: 6, name: "Mouse", price: 30.0 },
  { id: 7, name: "Laptop", price: 1000.0 },
  { id: 8, name: "Smartwatch", price: 250.0 },
  { id: 9, name: "Gaming Chair", price: 500.0 },
  { id: 10, name: "Earbuds", price: -50.0 }
]
