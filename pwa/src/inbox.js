// The in-app inbox (消息): how many notifications are unread, for the badges on the 我的 tab and
// the 消息 cell, and marking one read. The count is the server's: it is asked again when someone
// logs in, when the app comes back to the foreground, and after a notification is marked read.

import { onScopeDispose, readonly, ref, watch } from 'vue'
import { api } from './api/client'
import { isLoggedIn, session } from './session'

const unread = ref(0)
export const unreadCount = readonly(unread)

// Only the latest question may set the count: an answer that arrives after a logout, or after a
// newer question, is stale.
let asked = 0

function reset() {
  asked += 1
  unread.value = 0
}

export async function refreshUnreadCount() {
  if (!isLoggedIn.value) {
    reset()
    return
  }
  const ticket = ++asked
  try {
    const body = await api.get('/me/notifications/unread-count')
    if (ticket === asked && isLoggedIn.value) unread.value = body.unread
  } catch {
    // Offline or logged out meanwhile: keep what is shown; the next refresh corrects it.
  }
}

/** Marks one notification read; resolves to the notification as the server now has it. */
export async function markRead(id) {
  const notification = await api.post(`/me/notifications/${encodeURIComponent(id)}/read`)
  refreshUnreadCount()
  return notification
}

/** "3条未读消息": what a badge says to screen readers. */
export const unreadPhrase = (count) => `${count}条未读消息`

/** "我的，3条未读消息": a name that carries the badge's count; just the name at 0. */
export function withUnread(name, count) {
  return count > 0 ? `${name}，${unreadPhrase(count)}` : name
}

/** Keeps the count current for as long as the calling component (App) lives. */
export function useUnreadCountUpdates() {
  watch(
    () => session.account?.id,
    (accountId) => (accountId ? refreshUnreadCount() : reset()),
    { immediate: true },
  )
  const onVisible = () => {
    if (document.visibilityState === 'visible') refreshUnreadCount()
  }
  document.addEventListener('visibilitychange', onVisible)
  onScopeDispose(() => document.removeEventListener('visibilitychange', onVisible))
}
