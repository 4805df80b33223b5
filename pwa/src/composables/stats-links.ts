// The API links each figure to the orders behind it with a GET /workorders URL; the app opens
// the same filter in its own order list screen.
export function ordersRoute(apiLink: string, title: string): { path: string; query: Record<string, string | string[]> } {
  const url = new URL(apiLink, 'http://x')
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key)
    query[`f.${key}`] = values.length > 1 ? values : values[0]
  }
  query.title = title
  return { path: '/command/orders-of', query }
}

/** The GET /workorders filters carried in an orders-of route (the `f.` query keys). */
export function filtersOf(query: Record<string, unknown>): Record<string, string | string[]> {
  const filters: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('f.') || value === null || value === undefined) continue
    filters[key.slice(2)] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return filters
}

/** 95 → "1分35秒"; null → "—". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—'
  const s = Math.round(seconds)
  if (s < 60) return `${s}秒`
  if (s < 3600) return `${Math.floor(s / 60)}分${s % 60 ? `${s % 60}秒` : ''}`
  const h = Math.floor(s / 3600)
  const m = Math.round((s % 3600) / 60)
  return `${h}小时${m ? `${m}分` : ''}`
}

/** A share as a percentage with one decimal; "—" when there is nothing to divide by. */
export function percent(part: number, whole: number): string {
  return whole ? `${((part / whole) * 100).toFixed(1)}%` : '—'
}
