// A server list read page by page with its cursor: the first page on refresh (pull to refresh,
// a filter or search changed), the next ones as the user scrolls to the bottom (van-list).
// An answer to an older query is dropped, so a slow page never overwrites a newer filter.
import { getCurrentScope, onScopeDispose, reactive, ref, shallowRef } from 'vue'
import { ApiError } from '@/api/http'
import type { Page } from '@/api/types'

export interface PagedList<T> {
  items: T[]
  /** A page is on its way (van-list's v-model:loading). */
  loading: boolean
  /** The last page is in. */
  finished: boolean
  /** A page failed (van-list's v-model:error: tapping its text retries). */
  failed: boolean
  error: string
  /** The last page failed for want of a network (it is fetched again when the network returns). */
  offline: boolean
  /** The first page has arrived at least once. */
  loaded: boolean
  /** The first page again; `clear` first (a new filter: skeletons, not the old rows). */
  refresh: (options?: { clear?: boolean }) => Promise<void>
  loadMore: () => Promise<void>
  /** Replaces one item in place (after marking it read, say). */
  replace: (item: T) => void
}

const isOffline = (error: unknown) => error instanceof ApiError && error.status === 0

export function errorText(error: unknown): string {
  return isOffline(error) ? '当前离线，联网后自动刷新' : (error as Error).message
}

export function usePagedList<T extends { id: number | string }>(fetchPage: (cursor: string | null) => Promise<Page<T>>): PagedList<T> {
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const finished = ref(false)
  const failed = ref(false)
  const error = ref('')
  const offline = ref(false)
  const loaded = ref(false)
  let cursor: string | null = null
  let generation = 0
  let inFlight: Promise<void> | null = null

  async function getPage(reset: boolean): Promise<void> {
    const mine = reset ? ++generation : generation
    loading.value = true
    failed.value = false
    error.value = ''
    offline.value = false
    try {
      const page = await fetchPage(reset ? null : cursor)
      if (mine !== generation) return
      if (reset) items.value = page.items
      else {
        // Keyset pages don't repeat, but an order that moved between two pages may: keep one.
        const seen = new Set(items.value.map((i) => i.id))
        items.value = [...items.value, ...page.items.filter((i) => !seen.has(i.id))]
      }
      cursor = page.next_cursor ?? null
      finished.value = cursor === null
      loaded.value = true
    } catch (e) {
      if (mine !== generation) return
      failed.value = true
      offline.value = isOffline(e)
      error.value = errorText(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  function track(run: Promise<void>): Promise<void> {
    const tracked: Promise<void> = run.finally(() => {
      if (inFlight === tracked) inFlight = null
    })
    inFlight = tracked
    return tracked
  }

  function refresh(options: { clear?: boolean } = {}): Promise<void> {
    cursor = null
    finished.value = false
    if (options.clear) {
      items.value = []
      loaded.value = false
    }
    return track(getPage(true))
  }

  async function loadMore(): Promise<void> {
    if (inFlight) {
      await inFlight
      if (!inFlight) loading.value = false
      return
    }
    if (finished.value) {
      loading.value = false
      return
    }
    await track(getPage(!loaded.value))
  }

  function replace(item: T) {
    items.value = items.value.map((i) => (i.id === item.id ? item : i))
  }

  // Back online: what failed for want of a network comes by itself.
  const onOnline = () => {
    if (offline.value) void (loaded.value ? loadMore() : refresh())
  }
  if (typeof window !== 'undefined' && getCurrentScope()) {
    window.addEventListener('online', onOnline)
    onScopeDispose(() => window.removeEventListener('online', onOnline))
  }

  return reactive({ items, loading, finished, failed, error, offline, loaded, refresh, loadMore, replace }) as PagedList<T>
}
