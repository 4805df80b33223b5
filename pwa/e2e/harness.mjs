// End-to-end harness: the real backend on a temp SQLite database, Debian's Chromium through
// playwright-core, screenshots at phone and desktop size, axe-core and console-error checks.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const PWA = resolve(here, '..')
export const ROOT = resolve(PWA, '..')
export const SHOTS = process.env.E2E_SCREENSHOTS ?? join(PWA, 'e2e-screenshots')
export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1440, height: 900 }
export const PASSWORD = 'gridline-demo'
// 铜川路社区第1网格, WGS-84.
export const STREET = { latitude: 31.2445, longitude: 121.403, accuracy: 12 }
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A synthetic camera and microphone, so the overlay camera and voice recorder really run.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
]

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolvePort(port))
    })
    server.on('error', reject)
  })
}

export async function startBackend() {
  if (!existsSync(join(PWA, 'dist', 'index.html'))) throw new Error('pwa/dist is missing: run `npm run build` first')
  const dir = mkdtempSync(join(tmpdir(), 'gridline-e2e-'))
  const gridline = join(ROOT, '.venv', 'bin', 'gridline')
  const env = {
    ...process.env,
    GRID_DATABASE_URL: `sqlite:///${join(dir, 'e2e.db')}`,
    GRID_MEDIA_ROOT: join(dir, 'media'),
    GRID_INPROCESS_WORKER: 'false',
    GRID_DEV_MODE: 'true',
    // This checkout's backend, also where .venv is shared with another work tree whose
    // editable install points elsewhere.
    PYTHONPATH: [ROOT, process.env.PYTHONPATH].filter(Boolean).join(':'),
  }
  for (const command of ['migrate', 'load-catalog', 'demo']) {
    const run = spawnSync(gridline, [command], { cwd: ROOT, env, encoding: 'utf8' })
    if (run.status !== 0) throw new Error(`gridline ${command} failed:\n${run.stdout}\n${run.stderr}`)
  }
  const port = await freePort()
  const server = spawn(gridline, ['serve', '--host', '127.0.0.1', '--port', String(port)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  server.stdout.on('data', (d) => (log += d))
  server.stderr.on('data', (d) => (log += d))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`backend exited:\n${log}`)
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`backend did not start:\n${log}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    base,
    log: () => log,
    async stop() {
      server.kill('SIGTERM')
      await new Promise((r) => {
        const timer = setTimeout(() => {
          server.kill('SIGKILL')
          r()
        }, 10_000)
        server.once('exit', () => {
          clearTimeout(timer)
          r()
        })
      })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
}

/** An API session outside the browser, to check what the server holds. */
export async function apiAs(base, username) {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', body: new URLSearchParams({ username, password: PASSWORD }) })
  const { access_token: token } = await login.json()
  return async (path, init = {}) => {
    const response = await fetch(`${base}/api/v1${path}`, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${token}` } })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return response.json()
  }
}

/** Watches a page for console errors and uncaught exceptions. */
export function watchConsole(page, label) {
  const errors = []
  const state = { offline: false }
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    // Requests that fail because the test switched the network off are the point of the test.
    if (state.offline && /ERR_INTERNET_DISCONNECTED|Failed to fetch|net::ERR_/.test(text)) return
    errors.push(`${label}: ${text}`)
  })
  page.on('pageerror', (error) => errors.push(`${label}: uncaught ${error.message}`))
  return { errors, state }
}

const axeSource = readFileSync(join(PWA, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

/** axe-core's serious and critical violations on the current screen. */
export async function axeCheck(page) {
  // evaluate() runs outside the page's CSP, which forbids injected script tags.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  })
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}

/** Visible interactive elements smaller than 44×44 CSS px (WeChat tap-target bar). */
export async function smallTapTargets(page) {
  return page.evaluate(() => {
    const selector = 'button, a[href], input[type=checkbox], input[type=radio], select, [role=button], .van-tabbar-item, .van-cell--clickable'
    const small = []
    for (const el of document.querySelectorAll(selector)) {
      const box = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      if (!box.width || !box.height || style.visibility === 'hidden' || style.opacity === '0') continue
      // Radios and checkboxes are tapped by their whole row.
      const target = el.closest('.van-radio, .van-checkbox, .van-cell') ?? el
      const t = target.getBoundingClientRect()
      if (Math.max(t.height, box.height) < 44 || Math.max(t.width, box.width) < 44) small.push(`${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 2).join('.')} ${Math.round(t.width)}×${Math.round(t.height)} "${(el.textContent ?? '').trim().slice(0, 20)}"`)
    }
    return small
  })
}

/** Nothing wider than the viewport (no sideways scrolling on a phone). */
export async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
}

export async function shoot(page, name) {
  mkdirSync(SHOTS, { recursive: true })
  const original = page.viewportSize()
  for (const [tag, size] of [['390x844', PHONE], ['1440x900', DESKTOP]]) {
    await page.setViewportSize(size)
    await page.waitForTimeout(150)
    await page.screenshot({ path: join(SHOTS, `${name}-${tag}.png`) })
  }
  await page.setViewportSize(original)
}

/** A real JPEG drawn by the browser (a street scene stand-in with a label). */
export async function makeJpeg(page, label, hue = 120) {
  const data = await page.evaluate(
    ({ label, hue }) => {
      const canvas = document.createElement('canvas')
      canvas.width = 1280
      canvas.height = 960
      const ctx = canvas.getContext('2d')
      ctx.fillStyle = `hsl(${hue}, 25%, 55%)`
      ctx.fillRect(0, 0, 1280, 960)
      for (let i = 0; i < 12; i++) {
        ctx.fillStyle = `hsl(${(hue + i * 25) % 360}, 40%, ${35 + (i % 4) * 8}%)`
        ctx.fillRect(60 + i * 95, 420 + (i % 3) * 40, 80, 400)
      }
      ctx.fillStyle = '#fff'
      ctx.font = '64px sans-serif'
      ctx.fillText(label, 60, 120)
      return canvas.toDataURL('image/jpeg', 0.85).split(',')[1]
    },
    { label, hue },
  )
  return Buffer.from(data, 'base64')
}

/** A short 16-bit mono WAV tone: a stand-in call recording. */
export function makeWav(seconds = 1, rate = 8000) {
  const n = Math.floor(seconds * rate)
  const buffer = Buffer.alloc(44 + n * 2)
  buffer.write('RIFF', 0)
  buffer.writeUInt32LE(36 + n * 2, 4)
  buffer.write('WAVEfmt ', 8)
  buffer.writeUInt32LE(16, 16)
  buffer.writeUInt16LE(1, 20)
  buffer.writeUInt16LE(1, 22)
  buffer.writeUInt32LE(rate, 24)
  buffer.writeUInt32LE(rate * 2, 28)
  buffer.writeUInt16LE(2, 32)
  buffer.writeUInt16LE(16, 34)
  buffer.write('data', 36)
  buffer.writeUInt32LE(n * 2, 40)
  for (let i = 0; i < n; i++) buffer.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), 44 + i * 2)
  return buffer
}
