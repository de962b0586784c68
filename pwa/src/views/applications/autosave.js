// Autosave for a draft: each value is saved when it is final (PATCH with the version read), one
// request at a time. A value the server refuses keeps its message for the field and stays unsaved;
// values that could not be sent (offline) wait on the device and go when the network is back.

import { onScopeDispose, reactive, ref } from 'vue'
import { api } from '../../api/client'

const storageKey = (id) => `onetrip.draft.${id}`

function remembered(id) {
  try {
    return JSON.parse(localStorage.getItem(storageKey(id)) || '{}')
  } catch {
    return {}
  }
}

function remember(id, values) {
  try {
    if (Object.keys(values).length) localStorage.setItem(storageKey(id), JSON.stringify(values))
    else localStorage.removeItem(storageKey(id))
  } catch {
    // private mode without storage: the values wait in memory only
  }
}

/**
 * application: a ref holding the draft as the server last answered it (its version moves on).
 * errors: a reactive map field name → message, written here for the values the server refused.
 * onGone(error): the draft can no longer be edited (submitted elsewhere, withdrawn).
 */
export function useAutosave(application, errors, { onGone } = {}) {
  const pending = new Map() // name → value not yet saved
  const status = ref('saved') // saved | saving | offline | invalid | failed
  const savedAt = ref(null)
  const state = reactive({ running: null })

  const id = () => application.value.id
  const keep = () => remember(id(), Object.fromEntries(pending))

  async function send(batch) {
    try {
      application.value = await api.patch(`/applications/${encodeURIComponent(id())}`, {
        values: batch,
        version: application.value.version,
      })
      for (const name of Object.keys(batch)) delete errors[name]
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
      // Saved from another tab or phone meanwhile: read the draft again, then send ours on top.
      application.value = await api.get(`/applications/${encodeURIComponent(id())}`)
      return send(batch)
    }
    if (error.status === 409 || error.status === 404) onGone?.(error)
    requeue(batch)
    return 'failed'
  }

  async function run() {
    while (pending.size) {
      const batch = Object.fromEntries(pending)
      pending.clear()
      status.value = 'saving'
      const outcome = await send(batch)
      keep()
      if (outcome !== 'saved') {
        status.value = outcome
        return
      }
    }
    status.value = Object.keys(errors).some((name) => !name.startsWith('materials.')) ? 'invalid' : 'saved'
  }

  /** Saves what is waiting; resolves when nothing is (or what is left cannot be sent now). */
  function flush() {
    state.running ??= run().finally(() => {
      state.running = null
    })
    return state.running
  }

  /** A value is final: save it (after any save under way). */
  function save(name, value) {
    pending.set(name, value)
    keep()
    return flush()
  }

  /** Values typed on this device and not yet saved (after a reload or offline). */
  function restore() {
    const values = remembered(id())
    for (const [name, value] of Object.entries(values)) pending.set(name, value)
    return values
  }

  function forget() {
    pending.clear()
    remember(id(), {})
  }

  const online = () => pending.size && flush()
  window.addEventListener('online', online)
  onScopeDispose(() => window.removeEventListener('online', online))

  return { status, savedAt, save, flush, restore, forget, busy: () => Boolean(state.running) }
}
