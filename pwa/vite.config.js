import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { VitePWA } from 'vite-plugin-pwa'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync } from 'node:fs'

const THEME_COLOR = '#1989fa'

// Names the service worker's caches after the app's sources: a release that changes the app
// gets a new cache and cleanupOutdatedCaches deletes the old one when the new worker activates;
// a rebuild of the same sources gives the same worker, so phones are not asked to update.
const BUILD_INPUTS = ['index.html', 'vite.config.js', 'package-lock.json', 'src', 'public']

function buildId() {
  if (process.env.ONETRIP_BUILD_ID) return process.env.ONETRIP_BUILD_ID
  const root = new URL('./', import.meta.url)
  const files = BUILD_INPUTS.flatMap((input) =>
    statSync(new URL(input, root)).isDirectory()
      ? readdirSync(new URL(input, root), { recursive: true }).map((file) => `${input}/${file}`)
      : [input],
  )
  const hash = createHash('sha256')
  for (const file of files.sort()) {
    const url = new URL(file, root)
    if (statSync(url).isFile()) hash.update(file).update(readFileSync(url))
  }
  return hash.digest('hex').slice(0, 10)
}

export default defineConfig({
  plugins: [
    vue(),
    // <van-*> tags in templates import the component and its stylesheet on demand.
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      registerType: 'prompt', // a new version waits until the user agrees: src/sw/useServiceWorkerUpdates.js
      strategies: 'generateSW',
      injectRegister: false, // registered there too, by useRegisterSW
      includeManifestIcons: false, // public/ files, icons included, are precached by globPatterns
      manifest: {
        name: '一次办 · 最多跑一次',
        short_name: '一次办',
        description: '一件事一次办，最多跑一次',
        lang: 'zh-CN',
        dir: 'ltr',
        display: 'standalone',
        orientation: 'portrait',
        // The richer install sheet (Chrome on Android, desktop): taken by scripts/make_screenshots.py.
        screenshots: [
          { src: '/screenshots/narrow.png', sizes: '720x1280', type: 'image/png', form_factor: 'narrow', label: '首页：一件事一次办' },
          { src: '/screenshots/wide.png', sizes: '1280x720', type: 'image/png', form_factor: 'wide', label: '办事指南' },
        ],
        start_url: '/',
        scope: '/',
        theme_color: THEME_COLOR,
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell is precached. Of the API, only the PUBLIC catalogue (the same for everyone,
        // served with ETags and Cache-Control: public) is cached, stale-while-revalidate, so the
        // guides open offline. Every other API response carries personal data and must never be
        // stored by the service worker: do not add runtime caching for them.
        runtimeCaching: [
          {
            urlPattern: ({ url, request, sameOrigin }) =>
              sameOrigin && request.method === 'GET' && url.pathname.startsWith('/api/v1/catalog/'),
            handler: 'StaleWhileRevalidate',
            options: {
              cacheName: 'onetrip-catalog',
              cacheableResponse: { statuses: [200] },
              expiration: { maxEntries: 200, maxAgeSeconds: 7 * 24 * 3600 },
            },
          },
        ],
        // Shows pushes and opens their page on a tap (public/sw-push.js).
        importScripts: ['/sw-push.js'],
        globPatterns: ['**/*.{js,css,html,ico,png,svg,woff2}'],
        // The QR decoder is for the clerk's check-in page only: residents' phones do not download it.
        globIgnores: ['**/qr-decoder-*.js', '**/charts-*.js', '**/screenshots/**'],
        navigateFallback: '/index.html',
        // Server pages, not the app: the API (and its docs), keys, and the certificate check that a
        // QR code opens (/verify), which must come from the server even on a phone with the app.
        navigateFallbackDenylist: [/^\/api\//, /^\/\.well-known\//, /^\/verify(\?|$)/],
        cleanupOutdatedCaches: true,
        cacheId: `onetrip-${buildId()}`,
      },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      // Vue, Vant and the router change less often than the app: one long-cached vendor chunk. The QR
      // decoder (@zxing) is a chunk of its own, loaded by the check-in page when it first reads a picture.
      output: {
        codeSplitting: {
          groups: [
            { name: 'qr-decoder', test: /node_modules[\\/]@zxing[\\/]/, priority: 2 },
            // The charts of the statistics page (/stats) only: never part of the first load. A group takes its
            // modules' dependencies with it (includeDependenciesRecursively), so vendor claims first and leaves
            // the chart libraries out; otherwise Vue itself, a dependency of vue-echarts, lands in `charts`
            // and the first page preloads the whole chunk.
            { name: 'vendor', test: /node_modules[\\/](?!(@zxing|echarts|zrender|vue-echarts|tslib)[\\/])/, priority: 3 },
            { name: 'charts', test: /node_modules[\\/](echarts|zrender|vue-echarts|tslib)[\\/]/, priority: 2 },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to the API of `make run` (gunicorn on port 8000).
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
})
