/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

// Vant's icon font names a CDN copy after its inline one: drop it, so the app stays offline and
// within the CSP's font-src (self and data: only).
const vantIconsOffline: Plugin = {
  name: 'vant-icons-offline',
  enforce: 'pre',
  transform(code, id) {
    if (!/vant[\\/](es|lib)[\\/]icon[\\/]index\.css/.test(id)) return null
    return code.replace(/,\s*url\((?:https?:)?\/\/at\.alicdn\.com[^)]*\)\s*format\([^)]*\)/g, '')
  },
}

export default defineConfig({
  plugins: [
    vantIconsOffline,
    vue(),
    // Vant components (and their styles) are imported where a template uses them.
    Components({ resolvers: [VantResolver()], dts: 'src/components.d.ts' }),
    VitePWA({
      // Registered from src/pwa.ts once the router is ready (no inline script: the CSP forbids it).
      injectRegister: false,
      registerType: 'autoUpdate',
      includeAssets: ['icons/*.png', 'icons/*.svg'],
      manifest: {
        name: '网格通',
        short_name: '网格通',
        description: '网格巡查上报与 12345 工单处置',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ededed',
        theme_color: '#07c160',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/docs/, /^\/redoc/, /^\/openapi\.json/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { target: 'es2020', chunkSizeWarningLimit: 400, manifest: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    // Vant's per-component style imports are CSS files: let Vite handle them.
    server: { deps: { inline: ['vant'] } },
  },
})
