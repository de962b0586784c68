// Who is using the app: the logged-in account, and the business they act for, if any.
//
// The access token stays in memory (api/client.js); the refresh token is an HttpOnly cookie the
// page never sees. So on start, and whenever the access token has expired, the session is
// refreshed from the cookie. Only the chosen business's credit code goes to sessionStorage.

import { computed, reactive, readonly } from 'vue'
import { api, configureAuth, setAccessToken, setActingFor } from './api/client'
import { clearDeviceData } from './device/storage'
import { unsubscribeFromPush } from './device/push'

const ACTING_FOR_KEY = 'onetrip.actingFor'

const state = reactive({
  // 'restoring' until the first refresh answers; then 'in' or 'out', or 'offline' when the server
  // could not be reached (the cookie may still be good: asked again when the network is back)
  status: 'restoring',
  account: null, // GET /me: {id, roles, real_name_level, name, phone (masked), …}
  actingFor: null, // {credit_code, name}: the business the person acts for, or null for themself
})

export const session = readonly(state)
export const isLoggedIn = computed(() => state.account !== null)
export const realNameLevel = computed(() => state.account?.real_name_level ?? 0)
export const isStaff = computed(() =>
  (state.account?.roles ?? []).some((role) => ['clerk', 'approver', 'courier', 'admin'].includes(role)),
)

const endedListeners = new Set()

/** Called when a live session ends on its own (expired, revoked elsewhere), not on a logout. */
export function onSessionEnded(listener) {
  endedListeners.add(listener)
  return () => endedListeners.delete(listener)
}

function rememberActingFor(org) {
  state.actingFor = org ? { credit_code: org.credit_code, name: org.name } : null
  setActingFor(state.actingFor?.credit_code)
  try {
    if (org) sessionStorage.setItem(ACTING_FOR_KEY, JSON.stringify(state.actingFor))
    else sessionStorage.removeItem(ACTING_FOR_KEY)
  } catch {
    // private mode without storage: the choice lasts until the next reload
  }
}

function recalledActingFor() {
  try {
    const org = JSON.parse(sessionStorage.getItem(ACTING_FOR_KEY) || 'null')
    return org?.credit_code ? org : null
  } catch {
    return null
  }
}

function signIn(body) {
  setAccessToken(body.access_token)
  state.account = body.account
  state.status = 'in'
  return body
}

function forget() {
  setAccessToken(null)
  state.account = null
  state.status = 'out'
  rememberActingFor(null)
}

function sessionEnded() {
  const wasIn = state.status === 'in' || state.status === 'offline'
  forget()
  if (wasIn) endedListeners.forEach((listener) => listener())
}

// One refresh at a time, across tabs too: a refresh token is good for one use, and the server
// ends the session when it sees one used twice.
let refreshing = null

function exchangeRefreshCookie() {
  const exchange = () => api.post('/auth/refresh', {})
  return navigator.locks ? navigator.locks.request('onetrip-refresh', exchange) : exchange()
}

export function refresh() {
  refreshing ??= exchangeRefreshCookie()
    .then(signIn, (error) => {
      if (error.status === 401) sessionEnded()
      throw error
    })
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

let restoring = null

function resumeActingFor() {
  const org = recalledActingFor()
  if (org) rememberActingFor(org)
}

/** Restores the session from the refresh cookie once, at start; resolves when the answer is in. */
export function restoreSession() {
  restoring ??= refresh().then(
    resumeActingFor,
    (error) => {
      if (error.status === 0) {
        state.status = 'offline'
        return null
      }
      state.status = 'out'
      return error.code === 'refresh_token_reused' ? error : null
    },
  )
  return restoring
}

/** Started offline: the session (and the business acted for) comes back from the cookie. */
export function reconnect() {
  return refresh().then(resumeActingFor)
}

window.addEventListener('online', () => {
  if (state.status === 'offline') reconnect().catch(() => {})
})

configureAuth({
  refresh,
  onSessionEnded: sessionEnded,
  onActingForRejected: () => rememberActingFor(null),
})

export function sendLoginCode(phone) {
  return api.post('/auth/sms-codes', { phone, purpose: 'login' })
}

/** Logs in (registering on first use); the body says `created` for a new account. */
export async function logIn(phone, code) {
  return signIn(await api.post('/auth/login', { phone, code }))
}

export async function staffLogIn(username, password, newPassword) {
  const body = { username, password }
  if (newPassword) body.new_password = newPassword
  return signIn(await api.post('/auth/staff-login', body))
}

// Leaving the phone to the next person: no pushes for this account, no drafts, keys or personal caches.
async function leaveDevice() {
  forget()
  await clearDeviceData()
}

export async function logOut() {
  await unsubscribeFromPush()
  try {
    await api.post('/auth/logout')
  } catch (error) {
    // Offline or a server error: the cookie would bring the session back on the next start.
    if (error.status === 0 || error.status >= 500) throw error
  }
  await leaveDevice()
}

export async function logOutEverywhere() {
  await unsubscribeFromPush()
  await api.post('/auth/logout-everywhere')
  await leaveDevice()
}

/** Real-name verification (L1 → L2); the answer carries a new token at the new level. */
export async function verifyRealName(name, idNumber) {
  return signIn(await api.post('/me/real-name', { name, id_number: idNumber }))
}

export async function reloadAccount() {
  state.account = await api.get('/me')
  return state.account
}

/** Act for `org` from now on, once the server agrees; null acts for oneself again. */
export async function actFor(org) {
  if (org) await api.get('/me', { headers: { 'X-Acting-For': org.credit_code } })
  rememberActingFor(org)
}
