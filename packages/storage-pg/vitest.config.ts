import { defineConfig } from "vitest/config"
import shared from "../../vitest.shared.ts"

export default defineConfig({ ...shared, resolve: { conditions: ["source", "default"] }, ssr: { resolve: { conditions: ["source", "default"] } } })
