import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { setTokens } from '@/api/http'
import type { WorkOrderSummary } from '@/api/types'
import TasksPage from './TasksPage.vue'

const NOW = Date.parse('2026-11-23T09:00:00+08:00')

function order(id: number, number: string, remaining: number, state: string): WorkOrderSummary {
  const due = new Date(NOW + remaining * 1000).toISOString()
  return {
    id, number, version: 1, status: 'dispatched', status_label: '已派单', source: 'patrol', level: 'general',
    category_number: 1, category_name: '占用消防通道', address: '铜川路 100 号', description: `楼道堆物 ${id}`, thumbnail_url: null,
    created_at: new Date(NOW).toISOString(), updated_at: new Date(NOW).toISOString(), grid_id: 1,
    lead_department: { id: 1, name: '第一片区', kind: 'area_team' },
    clock: { name: 'respond', label: '响应时限', due_at: due, remind_at: null, remaining_s: remaining, unit: 'hours', state, provisional: false },
    flags: state === 'breached' ? ['overdue', 'supervised'] : [], next_steps: [], external_no: null, caller: null,
  }
}

function json(body: unknown) {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

async function mountAt(path: string) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/tasks', component: TasksPage },
      { path: '/orders/:id', component: defineComponent({ render: () => h('p', 'detail') }) },
    ],
  })
  await router.push(path)
  const wrapper = mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [router] } })
  await flushPromises()
  return { wrapper, router }
}

describe('任务: the handler list from GET /workorders', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(NOW)
    setActivePinia(createPinia())
    // The code lists as GET /codes gave them last time (the flags' labels).
    localStorage.setItem('gridline.codes', JSON.stringify({ flags: [{ code: 'overdue', label: '已超时' }, { code: 'supervised', label: '督办中' }] }))
    setTokens({ access_token: 'a', refresh_token: 'r' })
    fetchMock = vi.fn(async (url: string) => {
      const q = new URL(url, 'http://x').searchParams
      if (q.get('q') === 'GL-2') return json({ items: [order(2, 'GL-2', 600, 'ok')], next_cursor: null })
      if (q.get('cursor') === 'p2') return json({ items: [order(3, 'GL-3', 7200, 'ok')], next_cursor: null })
      return json({ items: [order(1, 'GL-1', -90, 'breached'), order(2, 'GL-2', 600, 'ok')], next_cursor: 'p2' })
    })
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    setTokens(null)
    localStorage.clear()
  })

  const urls = () => fetchMock.mock.calls.map((c) => new URL(String(c[0]), 'http://x'))

  it('shows the orders with live countdowns, red and negative once overdue, and the flags', async () => {
    const { wrapper } = await mountAt('/tasks')
    expect(urls()[0].pathname).toBe('/api/v1/workorders')
    expect(urls()[0].searchParams.get('assigned')).toBe('me')
    const rows = wrapper.findAll('[data-testid=order-row]')
    expect(rows.map((r) => r.find('.number').text())).toEqual(['GL-1', 'GL-2'])
    const late = rows[0].get('.countdown')
    expect(late.classes()).toContain('breached')
    expect(late.text()).toBe('响应时限已超时 1分30秒')
    expect(rows[0].text()).toContain('督办中')
    expect(rows[0].text()).not.toContain('overdue')
    vi.advanceTimersByTime(2000)
    await flushPromises()
    expect(rows[1].get('.countdown').text()).toBe('响应时限剩余 9分58秒')
    wrapper.unmount()
  })

  it('sends the status tab and the search to the server, and keeps them in the URL', async () => {
    const { wrapper, router } = await mountAt('/tasks')
    await wrapper.findAll('.filter-bar button').find((b) => b.text() === '处置中')!.trigger('click')
    await flushPromises()
    expect(urls().at(-1)!.searchParams.getAll('status')).toEqual(['accepted', 'in_progress'])
    expect(router.currentRoute.value.query.tab).toBe('working')

    await wrapper.get('[data-testid=order-search] input').setValue('GL-2')
    vi.advanceTimersByTime(700)
    await flushPromises()
    expect(urls().at(-1)!.searchParams.get('q')).toBe('GL-2')
    expect(wrapper.findAll('[data-testid=order-row]').map((r) => r.find('.number').text())).toEqual(['GL-2'])
    expect(router.currentRoute.value.query.q).toBe('GL-2')
    wrapper.unmount()
  })
})
