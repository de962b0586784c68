// 添加到主屏幕: the browser's install prompt (beforeinstallprompt) is kept, not shown at once, and
// offered at a sensible moment: after the first submitted application, or on the second visit;
// never on the first load. A "不了" or an install is remembered on this phone.

import { computed, ref } from 'vue'

const INSTALL_KEY = 'onetrip.install' // {dismissed, submitted}
const VISITS_KEY = 'onetrip.visits'
const COUNTED_KEY = 'onetrip.visitCounted' // sessionStorage: one visit per tab

const deferred = ref(null) // the BeforeInstallPromptEvent, while the browser offers one
const remembered = ref(read())
const visits = ref(countVisit())

function read() {
  try {
    return JSON.parse(localStorage.getItem(INSTALL_KEY) || '{}')
  } catch {
    return {}
  }
}

function remember(change) {
  remembered.value = { ...remembered.value, ...change }
  try {
    localStorage.setItem(INSTALL_KEY, JSON.stringify(remembered.value))
  } catch {
    // private mode: remembered for this visit only
  }
}

function countVisit() {
  try {
    let count = Number(localStorage.getItem(VISITS_KEY) || 0)
    if (!sessionStorage.getItem(COUNTED_KEY)) {
      count += 1
      localStorage.setItem(VISITS_KEY, String(count))
      sessionStorage.setItem(COUNTED_KEY, '1')
    }
    return count
  } catch {
    return 1
  }
}

window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault() // no mini-infobar on the first load: offered later, by the app
  deferred.value = event
})
window.addEventListener('appinstalled', () => {
  deferred.value = null
  remember({ dismissed: true })
})

export const installOffered = computed(
  () => Boolean(deferred.value) && !remembered.value.dismissed && (visits.value >= 2 || remembered.value.submitted),
)

/** An application was submitted on this phone: from now on the offer may show. */
export function noteSubmission() {
  remember({ submitted: true })
}

export async function install() {
  const event = deferred.value
  if (!event) return
  deferred.value = null
  await event.prompt()
  await event.userChoice.catch(() => null)
  remember({ dismissed: true }) // installed, or said no in the browser's own dialog
}

export function dismissInstall() {
  remember({ dismissed: true })
}
