// Prints the initial JavaScript (the entry script and every module it preloads, as index.html
// names them) gzipped, and fails above the budget; then what each screen adds on top of it
// (its route chunk and that chunk's static imports, from Vite's build manifest).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET_KB = 200
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const gz = (file) => gzipSync(readFileSync(resolve(dist, file.replace(/^\//, ''))), { level: 9 }).length
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`

const html = readFileSync(resolve(dist, 'index.html'), 'utf8')
const initial = new Set()
for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) initial.add(m[1].replace(/^\//, ''))
for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) initial.add(m[1].replace(/^\//, ''))
const total = [...initial].reduce((sum, f) => sum + gz(f), 0)

const manifestPath = resolve(dist, '.vite', 'manifest.json')
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  const closure = (key, seen = new Set()) => {
    const chunk = manifest[key]
    if (!chunk || seen.has(chunk.file)) return seen
    seen.add(chunk.file)
    for (const dep of chunk.imports ?? []) closure(dep, seen)
    return seen
  }
  for (const [key, chunk] of Object.entries(manifest)) {
    if (!/src\/pages\/.*\.vue$/.test(key) || !chunk.isDynamicEntry) continue
    const extra = [...closure(key)].filter((f) => !initial.has(f))
    const size = extra.reduce((sum, f) => sum + gz(f), 0)
    console.log(`  ${key.replace('src/pages/', '').padEnd(34)} +${kb(size)} (first visit: ${kb(total + size)})`)
  }
}
console.log(`initial JS (gzipped): ${kb(total)} of ${BUDGET_KB} KB budget, ${initial.size} file(s)`)
if (total / 1024 > BUDGET_KB) {
  console.error(`initial JS is over the ${BUDGET_KB} KB budget`)
  process.exit(1)
}
