// Web Push in the service worker (imported by the generated sw.js, see vite.config.js).
// The server sends {id, event, title, body, link} (notifications/channels/webpush.py); a tap opens
// the link: an open window of the app is focused and navigated, else a new one is opened.

/* eslint-env serviceworker */

const FALLBACK_PAGE = '/me/messages'

// Only a page of this app: a path on this origin ("/applications/…"), never another site.
self.onetripNotificationTarget = function (link) {
  if (typeof link !== 'string' || !link.startsWith('/') || link.startsWith('//')) return FALLBACK_PAGE
  const url = new URL(link, self.location.origin)
  return url.origin === self.location.origin ? url.pathname + url.search + url.hash : FALLBACK_PAGE
}

self.addEventListener('push', (event) => {
  let message = {}
  try {
    message = event.data ? event.data.json() : {}
  } catch {
    message = { body: event.data ? event.data.text() : '' }
  }
  event.waitUntil(
    self.registration.showNotification(message.title || '一次办', {
      body: message.body || '',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      tag: message.id || undefined,
      lang: 'zh-CN',
      data: { url: self.onetripNotificationTarget(message.link) },
    }),
  )
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = new URL(self.onetripNotificationTarget(event.notification.data?.url), self.location.origin).href
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin)
      if (open) {
        const navigated = (await open.navigate(url)) ?? open
        return navigated.focus()
      }
      return self.clients.openWindow(url)
    })(),
  )
})
