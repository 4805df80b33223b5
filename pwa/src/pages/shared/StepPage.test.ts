import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { setTokens } from '@/api/http'
import type { WorkOrder } from '@/api/types'
import { useOrdersStore } from '@/stores/orders'
import StepPage from './StepPage.vue'

// Only what the step page and its forms read; the server's order carries far more.
const ORDER = {
  id: 5, number: 'GL-5', version: 3, description: '重复来电：楼下噪声', status: 'in_progress',
  evidence: { photos: [], recordings: [], reports: [] }, supervisions: [], returns: [], extensions: [], clocks: [], next_steps: [],
} as unknown as WorkOrder

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const jpeg = (name: string) => new File([new Uint8Array([0xff, 0xd8])], name, { type: 'image/jpeg' })

function pick(wrapper: VueWrapper, testid: string, files: File[]) {
  const input = wrapper.get(`[data-testid=${testid}]`).element as HTMLInputElement
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
}

async function fill(wrapper: VueWrapper, testid: string, value: string) {
  await wrapper.get(`[data-testid=${testid}]`).find('input, textarea').setValue(value)
}

async function mountAt(path: string) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/orders/:id/step/:step', component: StepPage },
      { path: '/orders/:id', component: defineComponent({ render: () => h('p', { 'data-testid': 'detail' }, 'detail') }) },
    ],
  })
  await router.push(path)
  const wrapper = mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [router] } })
  await flushPromises()
  return { wrapper, router }
}

describe('办理: the step forms post what the server asks for', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  let stepAnswer: () => Response
  let served: WorkOrder
  let addEvidence: ReturnType<typeof vi.fn<ReturnType<typeof useOrdersStore>['addEvidence']>>

  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.setItem('gridline.codes', JSON.stringify({ store_categories: [{ code: 'repeated', label: '重复来电' }] }))
    setTokens({ access_token: 'a', refresh_token: 'r' })
    served = ORDER
    stepAnswer = () => json({ ...ORDER, version: 4 })
    fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      const u = new URL(url, 'http://x')
      if (u.pathname === '/api/v1/workorders/5' && (init?.method ?? 'GET') === 'GET') return json(served)
      if (u.pathname === '/api/v1/departments') return json({ items: [{ id: 3, name: '市场监管所', kind: 'department' }] })
      if (u.pathname === '/api/v1/workorders') {
        return json({ items: [{ ...ORDER, id: 9, number: 'GL-9', address: '铜川路 1 号', status: 'stored' }, { ...ORDER, address: null }], next_cursor: null })
      }
      return stepAnswer()
    })
    vi.stubGlobal('fetch', fetchMock)
    // Uploads go through XMLHttpRequest; the store's upload answers the new photo's id.
    addEvidence = vi.fn<ReturnType<typeof useOrdersStore>['addEvidence']>(async () => ({ photoIds: [71], recordingIds: [] }))
    useOrdersStore().addEvidence = addEvidence
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setTokens(null)
    localStorage.clear()
  })

  const posts = () =>
    fetchMock.mock.calls
      .filter((c) => (c[1] as RequestInit | undefined)?.method === 'POST')
      .map((c) => ({ path: new URL(String(c[0]), 'http://x').pathname, body: JSON.parse(String((c[1] as RequestInit).body)) as Record<string, unknown> }))

  it('shows a clear message, not an empty page, for a step without a form', async () => {
    const { wrapper } = await mountAt('/orders/5/step/something-new')
    expect(wrapper.get('[data-testid=step-unsupported]').text()).toContain('手机端暂不支持办理此步骤')
    expect(wrapper.find('[data-testid=step-submit]').exists()).toBe(false)
  })

  it('存电: uploads the signed form as a signoff photo, then posts the record', async () => {
    const { wrapper, router } = await mountAt('/orders/5/step/store')
    expect(wrapper.text()).toContain('存电')
    await wrapper.get('[data-testid=store-category]').setValue('repeated')
    await fill(wrapper, 'store-calls', '6')
    await fill(wrapper, 'store-claim', '要求停止夜间施工')
    await fill(wrapper, 'store-handling', '已多次现场核实并答复')
    await fill(wrapper, 'store-conclusion', '诉求已答复，无新情况')
    await fill(wrapper, 'store-reply', '按既有口径答复')
    await fill(wrapper, 'store-approver', '12')
    pick(wrapper, 'store-signoff-input', [jpeg('sign.jpg')])
    await flushPromises()
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(addEvidence).toHaveBeenCalledWith(5, 'signoff', [expect.any(File)], null)
    expect(posts()).toEqual([
      {
        path: '/api/v1/workorders/5/store',
        body: {
          version: 3, category: 'repeated', calls_same_matter: 6, main_claim: '要求停止夜间施工', handling: '已多次现场核实并答复',
          conclusion: '诉求已答复，无新情况', reply_points: '按既有口径答复', reason: '', department_signoff_photo_id: 71, command_center_approver_id: 12,
        },
      },
    ])
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/orders/5'))
  })

  it('存电: asks for the signed form before uploading anything, and shows the API message', async () => {
    stepAnswer = () => json({ error: { code: 'validation_error', message: '审批人须为城运中心调度员', field: 'command_center_approver_id' } }, 422)
    const { wrapper } = await mountAt('/orders/5/step/store')
    await wrapper.get('[data-testid=store-category]').setValue('repeated')
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(wrapper.get('.error-text').text()).toBe('请上传部门负责人签字的备案单照片')
    expect(addEvidence).not.toHaveBeenCalled()
    await fill(wrapper, 'store-approver', '3')
    pick(wrapper, 'store-signoff-input', [jpeg('sign.jpg')])
    await flushPromises()
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(wrapper.get('.error-text').text()).toBe('审批人须为城运中心调度员')
  })

  it('关联存电: searches the stored orders and links the one picked', async () => {
    const { wrapper, router } = await mountAt('/orders/5/step/stored-link')
    await wrapper.get('[data-testid=stored-search]').find('input').setValue('噪声')
    await wrapper.get('.van-search__action span').trigger('click')
    await flushPromises()
    const lists = fetchMock.mock.calls.map((c) => new URL(String(c[0]), 'http://x')).filter((u) => u.pathname === '/api/v1/workorders')
    expect(lists.at(-1)!.searchParams.getAll('status')).toEqual(['stored'])
    expect(lists.at(-1)!.searchParams.get('q')).toBe('噪声')
    // The order being handled is not offered as its own stored order.
    const rows = wrapper.findAll('[data-testid=stored-row]')
    expect(rows.map((r) => r.text())).toEqual([expect.stringContaining('GL-9')])
    expect(wrapper.get('[data-testid=step-submit]').attributes('disabled')).toBeDefined()
    await rows[0].trigger('click')
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(posts()).toEqual([{ path: '/api/v1/workorders/5/stored-link', body: { version: 3, stored_work_order_id: 9 } }])
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/orders/5'))
  })

  it('协办反馈: posts the text with the photos uploaded first', async () => {
    const { wrapper } = await mountAt('/orders/5/step/assist-report')
    await fill(wrapper, 'assist-text', '已配合清理楼道堆物')
    pick(wrapper, 'assist-input', [jpeg('a.jpg')])
    await flushPromises()
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(addEvidence).toHaveBeenCalledWith(5, 'scene', [expect.any(File)], null)
    expect(posts()).toEqual([{ path: '/api/v1/workorders/5/assist-report', body: { version: 3, text: '已配合清理楼道堆物', photo_ids: [71] } }])
  })

  it('先行联系: 上门面访 uploads the visit photo as a scene photo and names it', async () => {
    const { wrapper } = await mountAt('/orders/5/step/first-contact')
    const visit = wrapper.findAll('.van-radio').find((r) => r.text() === '上门面访')!
    await visit.trigger('click')
    pick(wrapper, 'visit-input', [jpeg('visit.jpg')])
    await flushPromises()
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(addEvidence).toHaveBeenCalledWith(5, 'scene', [expect.any(File)], null)
    expect(posts()).toEqual([
      {
        path: '/api/v1/workorders/5/first-contact',
        body: { version: 3, level: 'department', outcome: 'reached', method: 'visit', recording_id: null, sms_photo_id: null, visit_photo_id: 71, note: null },
      },
    ])
  })

  it('督办回复: replies to the open supervision the server offered the step for', async () => {
    served = {
      ...ORDER,
      supervisions: [
        { id: 31, kind: 'in_progress', level: 'street', notice: '已答复的督办', issued_at: '2026-11-20T01:00:00Z', reply_due_at: '2026-11-21T01:00:00Z', reply: '已处理', replied_at: '2026-11-20T05:00:00Z', overdue: false },
        { id: 32, kind: 'in_progress', level: 'street', notice: '请尽快清理', issued_at: '2026-11-22T01:00:00Z', reply_due_at: '2026-11-23T01:00:00Z', reply: null, replied_at: null, overdue: false },
      ],
    } as unknown as WorkOrder
    const { wrapper, router } = await mountAt('/orders/5/step/supervision-reply')
    expect(wrapper.text()).toContain('请尽快清理')
    await fill(wrapper, 'supervision-reply', '已于当日清理完毕')
    await wrapper.get('[data-testid=step-submit]').trigger('click')
    await flushPromises()
    expect(posts()).toEqual([{ path: '/api/v1/workorders/5/supervisions/32/reply', body: { version: 3, reply: '已于当日清理完毕' } }])
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/orders/5'))
  })

  it('退单审核: refuses the pending return with the note written', async () => {
    served = {
      ...ORDER,
      returns: [{ id: 41, department_id: 2, reason: '不属本部门职责', suggested_department_id: 3, needs_leader: false, status: 'pending', created_at: '2026-11-22T01:00:00Z' }],
    } as unknown as WorkOrder
    const { wrapper } = await mountAt('/orders/5/step/return-decision')
    expect(wrapper.text()).toContain('不属本部门职责')
    await fill(wrapper, 'decision-note', '属本部门职责，请继续办理')
    await wrapper.get('[data-testid=step-refuse]').trigger('click')
    await flushPromises()
    expect(posts()).toEqual([
      { path: '/api/v1/workorders/5/returns/41/decision', body: { version: 3, approve: false, note: '属本部门职责，请继续办理', department_id: null } },
    ])
  })
})
