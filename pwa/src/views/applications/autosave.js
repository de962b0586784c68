// Autosave for a draft. What is typed is kept on the phone (IndexedDB, see device/drafts.js) as it
// is typed, and sent to the server (PATCH with the version read) shortly after, or at once when a
// value is final; one request at a time. Offline, the values wait on the phone, survive a reload,
// and go when the network is back (the online event, and retries). A value the server refuses keeps
// its message for the field. When the server's draft changed meanwhile (409 version_conflict) a
// value changed on both sides is never overwritten silently: it becomes a conflict the person
// resolves (本机的 / 服务器上的).

import { onScopeDispose, ref } from 'vue'
import { api } from '../../api/client'
import { dropDraft, keepDraft, loadDraft } from '../../device/drafts'
import { reconnect, session } from '../../session'

const KEEP_DELAY_MS = 300 // typing → IndexedDB
const SEND_DELAY_MS = 1500 // typing → server, when the person pauses
const RETRY_DELAYS_MS = [5000, 15000, 30000, 60000]
const LEGACY_KEY = (id) => `onetrip.draft.${id}` // the localStorage queue of earlier versions

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
const fieldOf = (application, name) => application?.fields.find((f) => f.name === name)
const serverValue = (application, name) => fieldOf(application, name)?.value ?? null

function takeLegacyQueue(id) {
  try {
    const values = JSON.parse(localStorage.getItem(LEGACY_KEY(id)) || '{}')
    localStorage.removeItem(LEGACY_KEY(id))
    return values && typeof values === 'object' ? values : {}
  } catch {
    return {}
  }
}

/**
 * application: a ref holding the draft as the server last answered it (its version moves on).
 * errors: a reactive map field name → message, written here for the values the server refused.
 * onGone(error): the draft can no longer be edited (submitted elsewhere, withdrawn).
 */
export function useAutosave(application, errors, { onGone } = {}) {
  const pending = new Map() // name → value typed here, not yet on the server
  let sending = {} // the values of the request under way: kept too, until the server has them
  const base = new Map() // name → the server's value it was typed over
  const conflicts = ref([]) // [{name, label, mine, theirs}]: changed here and on the server
  // idle | local (on the phone, not sent yet) | saving | saved | offline | invalid | failed | conflict
  const status = ref('idle')
  const savedAt = ref(null)
  let running = null
  let keepTimer = null
  let sendTimer = null
  let retryTimer = null
  let retries = 0

  const id = () => application.value.id

  function record() {
    return {
      application: application.value,
      pending: { ...sending, ...Object.fromEntries(pending) },
      base: Object.fromEntries(base),
      conflicts: conflicts.value,
    }
  }

  /** Writes what is kept for the draft to IndexedDB now. */
  async function keep() {
    clearTimeout(keepTimer)
    keepTimer = null
    if (!application.value) return
    try {
      await keepDraft(id(), record())
    } catch {
      // no IndexedDB (private mode): the values wait in memory only
    }
  }

  function keepSoon() {
    clearTimeout(keepTimer)
    keepTimer = setTimeout(keep, KEEP_DELAY_MS)
  }

  function note(name, value) {
    if (!base.has(name)) base.set(name, serverValue(application.value, name))
    pending.set(name, value)
  }

  // The server's draft is newer than what the values were typed over: a value changed there too,
  // and differently, is a conflict; the others now count as typed over the server's new value.
  function reconcile() {
    const found = []
    for (const [name, mine] of pending) {
      const theirs = serverValue(application.value, name)
      const typedOver = base.has(name) ? base.get(name) : theirs
      if (same(theirs, typedOver) || same(theirs, mine)) {
        base.set(name, theirs)
        continue
      }
      pending.delete(name)
      base.delete(name)
      found.push({ name, label: fieldOf(application.value, name)?.label ?? name, mine, theirs })
    }
    if (found.length) {
      const names = new Set(found.map((c) => c.name))
      conflicts.value = [...conflicts.value.filter((c) => !names.has(c.name)), ...found]
    }
  }

  async function send(batch) {
    try {
      application.value = await api.patch(`/applications/${encodeURIComponent(id())}`, {
        values: batch,
        version: application.value.version,
      })
      for (const name of Object.keys(batch)) {
        delete errors[name]
        if (pending.has(name)) base.set(name, serverValue(application.value, name))
        else base.delete(name)
      }
      savedAt.value = new Date()
      return 'saved'
    } catch (error) {
      return handle(error, batch)
    }
  }

  async function handle(error, batch) {
    const requeue = (values) => {
      for (const [name, value] of Object.entries(values)) if (!pending.has(name)) pending.set(name, value)
    }
    if (error.status === 0) {
      requeue(batch)
      return 'offline'
    }
    if (error.status === 422 && Object.keys(error.errors).length) {
      const refused = Object.keys(error.errors).filter((name) => name in batch)
      for (const name of refused) errors[name] = error.errors[name][0]
      const rest = Object.fromEntries(Object.entries(batch).filter(([name]) => !refused.includes(name)))
      if (refused.length && Object.keys(rest).length) return (await send(rest)) === 'saved' ? 'invalid' : 'failed'
      return 'invalid'
    }
    if (error.code === 'version_conflict') {
      // Saved from another tab or phone meanwhile: read the draft again and compare.
      try {
        application.value = await api.get(`/applications/${encodeURIComponent(id())}`)
      } catch (reading) {
        requeue(batch)
        return reading.status === 0 ? 'offline' : 'failed'
      }
      requeue(batch)
      reconcile()
      return 'again'
    }
    if (error.status === 409 || error.status === 404) onGone?.(error)
    requeue(batch)
    return 'failed'
  }

  function retryLater() {
    clearTimeout(retryTimer)
    const delay = RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)]
    retries += 1
    retryTimer = setTimeout(flush, delay)
  }

  function settledStatus() {
    if (conflicts.value.length) return 'conflict'
    if (Object.keys(errors).some((name) => !name.startsWith('materials.'))) return 'invalid'
    return savedAt.value ? 'saved' : 'idle'
  }

  async function run() {
    clearTimeout(sendTimer)
    if (pending.size && session.status === 'offline') {
      // The app started offline: the session comes back from the refresh cookie first.
      try {
        await reconnect()
      } catch (error) {
        status.value = error.status === 0 ? 'offline' : 'failed'
        retryLater()
        return
      }
    }
    let rounds = 0
    while (pending.size && rounds++ < 5) {
      const batch = Object.fromEntries(pending)
      pending.clear()
      sending = batch
      status.value = 'saving'
      const outcome = await send(batch)
      sending = {}
      await keep()
      if (outcome === 'again') continue
      if (outcome !== 'saved') {
        status.value = outcome
        if (outcome === 'offline' || outcome === 'failed') retryLater()
        return
      }
    }
    retries = 0
    status.value = settledStatus()
  }

  /** Saves what is waiting; resolves when nothing is (or what is left cannot be sent now). */
  function flush() {
    running ??= run().finally(() => {
      running = null
    })
    return running
  }

  /** A value is being typed: kept on the phone at once, sent when the typing pauses. */
  function type(name, value) {
    if (!pending.has(name) && same(value, serverValue(application.value, name))) return
    note(name, value)
    if (status.value !== 'saving') status.value = navigator.onLine === false ? 'offline' : 'local'
    keepSoon()
    clearTimeout(sendTimer)
    sendTimer = setTimeout(flush, SEND_DELAY_MS)
  }

  /** A value is final: keep it and save it (after any save under way). */
  function save(name, value) {
    if (!pending.has(name) && same(value, serverValue(application.value, name))) return flush() // saved already
    note(name, value)
    keepSoon()
    return flush()
  }

  /**
   * Opens the draft with what this phone keeps for it: the values typed here and not yet saved,
   * and unresolved conflicts. `fresh` is the draft just read from the server (values changed there
   * meanwhile are compared, never overwritten); without it (offline) the draft as this phone last
   * saw it is used. Resolves to {application, values: name → value to show}, or null when offline
   * and nothing is kept for the draft.
   */
  async function restore(draftId, fresh) {
    const kept = await loadDraft(draftId)
    if (!fresh && !kept?.application) return null
    application.value = fresh ?? kept.application
    if (kept) {
      for (const [name, value] of Object.entries(kept.pending ?? {})) pending.set(name, value)
      for (const [name, value] of Object.entries(kept.base ?? {})) base.set(name, value)
      conflicts.value = kept.conflicts ?? []
    }
    if (fresh) {
      // An open conflict compares with what the server has now (it may have moved on again).
      conflicts.value = conflicts.value
        .map((c) => ({ ...c, theirs: serverValue(fresh, c.name) }))
        .filter((c) => !same(c.theirs, c.mine))
    }
    for (const [name, value] of Object.entries(takeLegacyQueue(draftId))) if (!pending.has(name)) pending.set(name, value)
    if (kept && kept.application?.version !== application.value.version) reconcile()
    if (pending.size) status.value = fresh ? 'local' : 'offline'
    if (conflicts.value.length) status.value = 'conflict'
    await keep()
    const values = Object.fromEntries(pending)
    for (const c of conflicts.value) values[c.name] = c.mine
    return { application: application.value, values }
  }

  /** The person chose which value of a conflict stays: 'mine' (sent now) or 'theirs' (kept). */
  function resolve(name, choice) {
    const conflict = conflicts.value.find((c) => c.name === name)
    if (!conflict) return null
    conflicts.value = conflicts.value.filter((c) => c !== conflict)
    if (choice === 'mine') {
      base.set(name, conflict.theirs)
      pending.set(name, conflict.mine)
    }
    keepSoon()
    if (pending.size) flush()
    else if (!running) status.value = settledStatus() // else the save under way settles it
    return choice === 'mine' ? conflict.mine : conflict.theirs
  }

  async function forget() {
    pending.clear()
    base.clear()
    conflicts.value = []
    clearTimeout(keepTimer)
    clearTimeout(sendTimer)
    await dropDraft(id())
  }

  const online = () => {
    retries = 0
    if (pending.size) flush()
  }
  // Leaving or hiding the page (a reload, another app): what the debounce still holds goes now.
  const hidden = () => keepTimer && keep()
  window.addEventListener('online', online)
  window.addEventListener('pagehide', hidden)
  document.addEventListener('visibilitychange', hidden)
  onScopeDispose(() => {
    window.removeEventListener('online', online)
    window.removeEventListener('pagehide', hidden)
    document.removeEventListener('visibilitychange', hidden)
    clearTimeout(sendTimer)
    clearTimeout(retryTimer)
    if (keepTimer) keep()
  })

  return {
    status,
    savedAt,
    conflicts,
    type,
    save,
    flush,
    restore,
    resolve,
    forget,
    busy: () => Boolean(running),
  }
}
