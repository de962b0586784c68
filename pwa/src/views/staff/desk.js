// The window a clerk works at (hall and window), kept on this device: a clerk may move between
// windows from one day to the next, and the queue is called window by window.

import { reactive } from 'vue'

const KEY = 'onetrip.clerkDesk'
const EMPTY = { hall: '', hallName: '', window: '', windowName: '', group: '', items: [] }

function recalled() {
  try {
    return { ...EMPTY, ...JSON.parse(localStorage.getItem(KEY) || '{}') }
  } catch {
    return { ...EMPTY }
  }
}

export const desk = reactive(recalled())

/** Sit at `window` of `hall` (both as GET /appointments/halls/{code} gives them). */
export function sitAt(hall, window) {
  Object.assign(desk, {
    hall: hall.code,
    hallName: hall.name,
    window: window.code,
    windowName: window.name,
    group: window.group,
    items: (hall.items ?? []).filter((i) => window.items.includes(i.code)).map((i) => ({ code: i.code, name: i.name })),
  })
  try {
    localStorage.setItem(KEY, JSON.stringify(desk))
  } catch {
    // private mode: the choice lasts until the page is reloaded
  }
}
