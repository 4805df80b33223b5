import { computed, type WritableComputedRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'

/**
 * A list screen's filter kept in the URL (?tab=…&q=…), so coming back from an order, a reload or
 * a shared link shows the same list. Reads only while its own screen is the route.
 */
export function useQueryParam(name: string, fallback = ''): WritableComputedRef<string> {
  const route = useRoute()
  const router = useRouter()
  const path = route.path
  let last = fallback
  return computed({
    get: () => {
      if (route.path !== path) return last
      const value = route.query[name]
      last = typeof value === 'string' && value ? value : fallback
      return last
    },
    set: (value) => {
      if (route.path !== path) return
      void router.replace({ query: { ...route.query, [name]: value && value !== fallback ? value : undefined } })
    },
  })
}
