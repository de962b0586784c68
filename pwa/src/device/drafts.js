// Form drafts kept on this phone, in IndexedDB through idb-keyval: the draft as the server last
// answered it (so the form opens offline), the values typed here and not yet on the server, the
// server's value each of them was typed over (to see a conflict), and unresolved conflicts.
// One record per application id; dropped on submit, all of them on logout (see device/storage.js).

import { clear, createStore, del, get, set } from 'idb-keyval'

let store = null
const drafts = () => (store ??= createStore('onetrip-drafts', 'drafts'))

/** The record kept for this draft, or null (none, or no IndexedDB in this browser). */
export async function loadDraft(id) {
  try {
    return (await get(id, drafts())) ?? null
  } catch {
    return null
  }
}

/** Keeps the record; plain data only (reactive proxies cannot be stored). */
export async function keepDraft(id, record) {
  await set(id, JSON.parse(JSON.stringify(record)), drafts())
}

export async function dropDraft(id) {
  try {
    await del(id, drafts())
  } catch {
    // nothing kept, or no IndexedDB: nothing to drop
  }
}

export async function clearDrafts() {
  await clear(drafts())
}
