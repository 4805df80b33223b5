import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { ApiError } from '@/api/http'
import type { Page } from '@/api/types'
import { usePagedList } from './paged'

type Row = { id: number }
const rows = (...ids: number[]): Row[] => ids.map((id) => ({ id }))

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describe('a server list read with its cursor', () => {
  it('loads the first page, then the next with the cursor, until the server has no more', async () => {
    const fetchPage = vi.fn(async (cursor: string | null): Promise<Page<Row>> => (cursor === null ? { items: rows(1, 2), next_cursor: 'c2' } : { items: rows(2, 3), next_cursor: null }))
    const list = usePagedList(fetchPage)
    await list.refresh()
    expect(list.items.map((r) => r.id)).toEqual([1, 2])
    expect(list.finished).toBe(false)
    await list.loadMore()
    expect(fetchPage).toHaveBeenLastCalledWith('c2')
    // An order that moved between two pages is shown once.
    expect(list.items.map((r) => r.id)).toEqual([1, 2, 3])
    expect(list.finished).toBe(true)
    await list.loadMore()
    expect(fetchPage).toHaveBeenCalledTimes(2)
    expect(list.loading).toBe(false)
  })

  it('drops the answer to an older query when the filter changed meanwhile', async () => {
    const slow = deferred<Page<Row>>()
    const fetchPage = vi.fn().mockReturnValueOnce(slow.promise).mockResolvedValueOnce({ items: rows(9), next_cursor: null })
    const list = usePagedList<Row>(fetchPage)
    const first = list.refresh()
    await list.refresh({ clear: true })
    slow.resolve({ items: rows(1, 2), next_cursor: 'x' })
    await first
    expect(list.items.map((r) => r.id)).toEqual([9])
    expect(list.finished).toBe(true)
    expect(list.loading).toBe(false)
  })

  it("shows the API's message when a page fails, offline in words, and retries", async () => {
    const fetchPage = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(0, 'network', '网络不可用'))
      .mockRejectedValueOnce(new ApiError(422, 'invalid', '游标无效'))
      .mockResolvedValueOnce({ items: rows(1), next_cursor: null })
    const list = usePagedList<Row>(fetchPage)
    await list.refresh()
    expect(list.failed).toBe(true)
    expect(list.loaded).toBe(false)
    expect(list.error).toBe('当前离线，联网后自动刷新')
    expect(list.offline).toBe(true)
    await list.refresh()
    expect(list.error).toBe('游标无效')
    expect(list.offline).toBe(false)
    await list.loadMore()
    expect(list.failed).toBe(false)
    expect(list.items).toEqual(rows(1))
  })

  it('fetches again by itself when the network returns', async () => {
    const fetchPage = vi.fn().mockRejectedValueOnce(new ApiError(0, 'network', '网络不可用')).mockResolvedValueOnce({ items: rows(5), next_cursor: null })
    const scope = effectScope()
    const list = scope.run(() => usePagedList<Row>(fetchPage))!
    await list.refresh()
    expect(list.offline).toBe(true)
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(list.items).toEqual(rows(5)))
    scope.stop()
  })
})
