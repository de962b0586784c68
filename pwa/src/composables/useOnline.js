import { onScopeDispose, ref } from 'vue'

// Whether the browser thinks it is online, live (the online/offline events).
export function useOnline() {
  const online = ref(navigator.onLine !== false)
  const update = () => {
    online.value = navigator.onLine !== false
  }
  window.addEventListener('online', update)
  window.addEventListener('offline', update)
  onScopeDispose(() => {
    window.removeEventListener('online', update)
    window.removeEventListener('offline', update)
  })
  return online
}
