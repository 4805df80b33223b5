import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { MemberQuota } from '@/api/types'
import QuotaCard from './QuotaCard.vue'

const week = (extra: Partial<MemberQuota> = {}): MemberQuota => ({
  member: { id: 5, display_name: '张三', grids: [{ id: 1, name: '一网格' }] },
  profile: 'heyang', note: null, week: '2026-W41', from: '2026-10-05', to: '2026-10-11', working_days: 3,
  finds: 1, quota: 1, target: 2, missing: 0, bonus: 1, penalty: 0, points: 1, warning: false, exempt: false,
  provisional: false, closed: false, closed_at: null, empty_weeks_in_a_row: 0, recommend_replacement: false,
  find_list: [{ report_id: 9, work_order_id: 3, number: 'WG20261011-0001', at: '2026-10-11T02:00:00Z', day_off: true }],
  ledger: [], year_points: 4,
  so_far: [{ reason: 'bonus_day_off', reason_label: '周末、节假日主动发现问题加分', points: 1, work_order_id: 3, number: 'WG20261011-0001', note: '2026-10-11 非工作日上报 WG20261011-0001（合阳县 五(一)）' }],
  ...extra,
})

function render(quota: MemberQuota) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
  return mount(QuotaCard, { props: { quota }, global: { plugins: [router] } })
}

describe('本周任务', () => {
  it('shows finds against the quota, provisional points and the holiday bonus of a find', () => {
    const card = render(week())
    expect(card.get('[data-testid=quota-finds]').text()).toBe('1 / 1')
    expect(card.get('[data-testid=quota-points]').text()).toBe('+1')
    expect(card.text()).toContain('暂计')
    expect(card.text()).toContain('节假日 +1')
    expect(card.text()).toContain('周末、节假日主动发现问题加分')
  })

  it('lists what the open week will book so far, with the complaint behind a passive-discovery penalty', () => {
    const card = render(week({ bonus: 0, penalty: 5, points: -5, so_far: [{ reason: 'passive_discovery', reason_label: '被动接受反复投诉3次以上未及时巡查上报', points: -5, work_order_id: 7, number: 'WG20261008-0003', note: '合阳县 五(二)' }] }))
    const line = card.get('[data-testid=so-far-line]')
    expect(line.text()).toContain('被动接受反复投诉')
    expect(line.text()).toContain('WG20261008-0003')
    expect(line.text()).toContain('-5')
  })

  it('warns a member with no find, and says when the grid chief was told after two empty weeks', () => {
    expect(render(week({ finds: 0, find_list: [], warning: true, missing: 1, bonus: 0, penalty: 1, points: -1 })).text()).toContain('本周还没有主动发现问题')
    const replaced = render(week({ finds: 0, find_list: [], warning: true, closed: true, recommend_replacement: true, empty_weeks_in_a_row: 2 }))
    expect(replaced.text()).toContain('已向网格长提出调整建议')
  })

  it('lists the closed week’s ledger lines with their reasons and orders', () => {
    const card = render(week({ closed: true, so_far: [], ledger: [{ id: 1, at: '2026-10-12T00:00:00Z', reason: 'second_or_overdue', reason_label: '二次工单、超时工单', points: -2, work_order_id: 3, number: 'WG20261011-0001', note: '' }] }))
    expect(card.text()).toContain('二次工单、超时工单')
    expect(card.text()).toContain('-2')
    expect(card.text()).not.toContain('暂计')
  })

  it('says so when the street sets no quota', () => {
    expect(render(week({ profile: null, note: '本街道未设网格员发现问题数指标', quota: null, target: null, missing: null })).get('[data-testid=quota-none]').text()).toContain('未设')
  })
})
