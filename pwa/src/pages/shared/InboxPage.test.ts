import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { setTokens } from '@/api/http'
import type { Notification } from '@/api/types'
import { useInboxStore } from '@/stores/inbox'
import InboxPage from './InboxPage.vue'

const item = (id: number, title: string, extra: Partial<Notification> = {}): Notification => ({
  id, kind: 'order_dispatched', title, body: '请及时接单', work_order_id: 7, created_at: '2026-11-23T01:00:00Z',
  data: {}, read_at: null, action: null, resolved: false, resolved_at: null, ...extra,
})

function json(body: unknown) {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
}

describe('消息', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  beforeEach(() => {
    setActivePinia(createPinia())
    setTokens({ access_token: 'a', refresh_token: 'r' })
    fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url.includes('/unread-count')) return json({ unread: 1 })
      if (init?.method === 'POST') return json(item(1, '新工单待接单', { action: 'accept', read_at: '2026-11-23T02:00:00Z' }))
      return json({
        items: [item(1, '新工单待接单', { action: 'accept' }), item(2, '工单已接单', { action: 'accept', resolved: true, resolved_at: '2026-11-23T01:30:00Z' })],
        next_cursor: null,
      })
    })
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setTokens(null)
  })

  it('greys resolved items as 已处理, marks the open one 待办, and refreshes the badge on reading', async () => {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/inbox', component: InboxPage }, { path: '/orders/:id', component: { render: () => h('p') } }] })
    await router.push('/inbox')
    const wrapper = mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [router] } })
    await flushPromises()
    const [open, done] = wrapper.findAll('[data-testid=inbox-item]')
    expect(open.text()).toContain('待办')
    expect(open.find('.van-badge--dot').exists()).toBe(true)
    expect(done.classes()).toContain('resolved')
    expect(done.text()).toContain('已处理')
    // Resolved items are not unread, whatever their read_at.
    expect(done.find('.van-badge--dot').exists()).toBe(false)
    expect(useInboxStore().unread).toBe(1)

    await open.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/orders/7')
    expect(fetchMock.mock.calls.some(([u, i]) => String(u).endsWith('/inbox/1/read') && i?.method === 'POST')).toBe(true)
    expect(fetchMock.mock.calls.filter(([u]) => String(u).includes('unread-count')).length).toBeGreaterThanOrEqual(2)
    wrapper.unmount()
  })
})
