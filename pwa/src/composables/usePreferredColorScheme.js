import { onScopeDispose, ref } from 'vue'

// Follows the system's light/dark setting, live, as 'light' or 'dark' (Vant's theme names).
export function usePreferredColorScheme() {
  const query = window.matchMedia('(prefers-color-scheme: dark)')
  const scheme = ref(query.matches ? 'dark' : 'light')
  const onChange = (event) => {
    scheme.value = event.matches ? 'dark' : 'light'
  }
  query.addEventListener('change', onChange)
  onScopeDispose(() => query.removeEventListener('change', onChange))
  return scheme
}
