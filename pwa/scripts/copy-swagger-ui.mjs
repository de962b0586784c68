// Copies Swagger UI's browser files into dist/swagger-ui/, where Flask serves them for /api/docs.
// Run after `vite build`, so the service worker does not precache them.
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const source = dirname(require.resolve('swagger-ui-dist/package.json'))
const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'swagger-ui')
const FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']

mkdirSync(target, { recursive: true })
for (const file of FILES) copyFileSync(join(source, file), join(target, file))
console.log(`swagger-ui: ${FILES.length} files copied to dist/swagger-ui/`)
