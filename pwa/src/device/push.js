// Web Push: after the first submitted application (never on a first visit) the app explains why and
// asks for notification permission, subscribes with the server's VAPID key and hands the
// subscription to the server; logging out removes it. The service worker shows the pushes
// (public/sw-push.js).

import { showConfirmDialog } from 'vant'
import 'vant/es/dialog/style'
import { api } from '../api/client'

const ASKED_KEY = 'onetrip.push.asked'

export const pushSupported = () =>
  'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window

function keyBytes(base64url) {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
}

async function registration() {
  return navigator.serviceWorker.getRegistration()
}

/** Subscribes this browser (permission already granted) and tells the server; true when done. */
export async function subscribeToPush() {
  const reg = (await registration()) && (await navigator.serviceWorker.ready)
  if (!reg?.pushManager) return false
  let subscription = await reg.pushManager.getSubscription()
  if (!subscription) {
    const { public_key: publicKey } = await api.get('/push/vapid-public-key')
    subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) })
  }
  const { endpoint, keys } = subscription.toJSON()
  await api.post('/me/push-subscriptions', { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } })
  return true
}

/** At logout: the server forgets this browser for the account, and the browser its subscription. */
export async function unsubscribeFromPush() {
  try {
    if (!pushSupported()) return
    const subscription = await (await registration())?.pushManager.getSubscription()
    if (!subscription) return
    await api.delete('/me/push-subscriptions', { body: { endpoint: subscription.endpoint } }).catch(() => {})
    await subscription.unsubscribe()
  } catch {
    // no worker or no push here: nothing to remove
  }
}

/**
 * After a submission: the person is asked once on this phone (the answer is theirs: cleared at
 * logout), even if the browser allowed notifications before; on 开启通知 the browser asks (unless it
 * already allows) and the app subscribes. After a yes, later submissions refresh the subscription.
 */
export async function offerPush() {
  if (!pushSupported() || Notification.permission === 'denied') return
  const answer = localStorage.getItem(ASKED_KEY)
  if (answer === 'no') return
  if (answer !== 'yes') {
    try {
      await showConfirmDialog({
        title: '办理进度通知',
        message: '开启通知后，审批结果、缴费、证照寄送等进度会及时提醒您，不用反复打开查看。',
        confirmButtonText: '开启通知',
        cancelButtonText: '暂不',
      })
    } catch {
      localStorage.setItem(ASKED_KEY, 'no') // 暂不
      return
    }
    localStorage.setItem(ASKED_KEY, 'yes')
  }
  try {
    if ((await Notification.requestPermission()) === 'granted') await subscribeToPush()
  } catch {
    // the browser's push service is unavailable: the inbox still has every message
  }
}
