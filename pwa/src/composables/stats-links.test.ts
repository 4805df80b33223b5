import { describe, expect, it } from 'vitest'
import { duration, filtersOf, ordersRoute, percent } from './stats-links'

describe('links from a figure to its orders', () => {
  it('carries every filter of the API link, repeated ones as lists', () => {
    const route = ordersRoute('/api/v1/workorders?metric=zhenru.late&department_id=3&status=closed&status=archived', '超时')
    expect(route.path).toBe('/command/orders-of')
    expect(route.query).toEqual({ 'f.metric': 'zhenru.late', 'f.department_id': '3', 'f.status': ['closed', 'archived'], title: '超时' })
    expect(filtersOf(route.query)).toEqual({ metric: 'zhenru.late', department_id: '3', status: ['closed', 'archived'] })
  })

  it('writes durations and shares the way a dispatcher reads them', () => {
    expect(duration(null)).toBe('—')
    expect(duration(42)).toBe('42秒')
    expect(duration(95)).toBe('1分35秒')
    expect(duration(7260)).toBe('2小时1分')
    expect(percent(1, 3)).toBe('33.3%')
    expect(percent(0, 0)).toBe('—')
  })
})
