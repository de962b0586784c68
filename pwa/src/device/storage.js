// What this phone keeps for the person, and clearing it at logout: form drafts (IndexedDB), the
// app's localStorage and sessionStorage keys, and every service-worker cache except the app shell
// (precache) and the public catalogue, which hold nothing personal.

import { clearDrafts } from './drafts'

const APP_KEY_PREFIX = 'onetrip.'
// The device's own choices, not the person's: kept across logouts.
const DEVICE_KEYS = new Set(['onetrip.install', 'onetrip.visits', 'onetrip.visitCounted'])
export const PUBLIC_CACHE = /precache|catalog/

function clearKeys(storage) {
  try {
    for (const key of Object.keys(storage)) {
      if (key.startsWith(APP_KEY_PREFIX) && !DEVICE_KEYS.has(key)) storage.removeItem(key)
    }
  } catch {
    // private mode without storage: nothing was kept
  }
}

export async function clearDeviceData() {
  clearKeys(localStorage)
  clearKeys(sessionStorage)
  await Promise.allSettled([
    clearDrafts(),
    (async () => {
      if (!('caches' in window)) return
      for (const name of await caches.keys()) if (!PUBLIC_CACHE.test(name)) await caches.delete(name)
    })(),
  ])
}
