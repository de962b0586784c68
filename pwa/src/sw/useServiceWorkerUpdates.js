import { watch } from 'vue'
import { useRegisterSW } from 'virtual:pwa-register/vue'
import { showConfirmDialog } from 'vant'
import 'vant/es/dialog/style'

const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000

// Registers the generated service worker. A new version waits until the user agrees to
// reload, so a form being filled in is never swapped out from under them.
export function useServiceWorkerUpdates() {
  const { needRefresh, updateServiceWorker } = useRegisterSW({
    immediate: true,
    onRegisteredSW(_url, registration) {
      // Phones keep the app open for days; look for a new version now and then.
      if (registration) setInterval(() => registration.update(), UPDATE_CHECK_INTERVAL_MS)
    },
  })

  watch(needRefresh, async (waiting) => {
    if (!waiting) return
    try {
      await showConfirmDialog({
        title: '发现新版本',
        message: '有新版本可用，是否刷新？',
        confirmButtonText: '刷新',
        cancelButtonText: '稍后',
      })
      await updateServiceWorker(true)
    } catch {
      needRefresh.value = false // "稍后": ask again when the next version arrives
    }
  })
}
