// A list read page by page as van-list asks for more (its bottom comes into view), for every paged
// list of the app: my applications, appointments, messages, the staff queues.

import { ref } from 'vue'
import { api } from '../api/client'

export const PAGE_SIZE = 20

/**
 * path: the API path of the list. Options:
 * - query(): more query parameters, read for every page (e.g. the tab's state filter);
 * - key(): what the list is of now (e.g. the tab); a page that arrives after it changed is dropped;
 * - onFirstPage(): called when the first page has been shown.
 */
export function usePagedList(path, { query = () => ({}), key = () => null, onFirstPage } = {}) {
  const items = ref([])
  const total = ref(null)
  const page = ref(0)
  const loading = ref(false)
  const finished = ref(false)
  const error = ref(false)
  const refreshing = ref(false) // van-pull-refresh's v-model

  async function loadMore() {
    loading.value = true
    const asked = key()
    try {
      const next = page.value + 1
      const result = await api.page(path, { query: { page: next, page_size: PAGE_SIZE, ...query() } })
      if (asked !== key()) return // another list was asked for meanwhile: its own first page follows
      items.value = next === 1 ? result.items : [...items.value, ...result.items]
      total.value = result.total
      page.value = next
      finished.value = result.totalPages !== null ? next >= result.totalPages : result.items.length < PAGE_SIZE
      if (next === 1) onFirstPage?.()
    } catch {
      error.value = true
    } finally {
      loading.value = false
    }
  }

  /** From the first page again. `clear`: a different list, emptied at once; otherwise (a refresh) the
   * rows stay shown until the first page replaces them. */
  function restart({ clear = false } = {}) {
    if (clear) {
      items.value = []
      total.value = null
    }
    page.value = 0
    finished.value = false
    error.value = false
    return loadMore()
  }

  /** Pull to refresh: the first page again, then the spinner of van-pull-refresh stops. */
  async function refresh() {
    await restart()
    refreshing.value = false
  }

  return { items, total, loading, finished, error, refreshing, loadMore, restart, refresh }
}
