import { describe, expect, it } from 'vitest'
import { monthPeriod, monthToDate, periodLabel, shiftWeek, weekLabel, weekOf, weekPeriod } from './periods'

describe('street weeks and months (Asia/Shanghai)', () => {
  it('puts Sunday 23:30 in Shanghai in that week, though it is still Sunday in UTC', () => {
    // 2026-11-22 23:30 +08:00 is Sunday of 2026-W47.
    expect(weekOf(Date.parse('2026-11-22T23:30:00+08:00'))).toBe('2026-W47')
    // Monday 00:10 in Shanghai is Sunday 16:10 UTC: already the next week for the street.
    expect(weekOf(Date.parse('2026-11-23T00:10:00+08:00'))).toBe('2026-W48')
  })

  it('knows weeks that belong to the neighbouring year', () => {
    expect(weekOf(Date.parse('2027-01-01T12:00:00+08:00'))).toBe('2026-W53')
    expect(weekPeriod('2026-W53')).toEqual({ from: '2026-12-28', to: '2027-01-03' })
    expect(shiftWeek('2026-W53', 1)).toBe('2027-W01')
    expect(shiftWeek('2026-W01', -1)).toBe('2025-W52')
  })

  it('labels a week by its Monday and Sunday', () => {
    expect(weekLabel('2026-W47')).toBe('11月16日–11月22日')
  })

  it('gives months, last month and month to date', () => {
    const now = Date.parse('2026-03-01T01:00:00+08:00')
    expect(monthPeriod(now)).toEqual({ from: '2026-03-01', to: '2026-03-31' })
    expect(monthPeriod(now, -1)).toEqual({ from: '2026-02-01', to: '2026-02-28' })
    expect(monthToDate(now)).toEqual({ from: '2026-03-01', to: '2026-03-01' })
    expect(periodLabel({ from: '2026-12-28', to: '2027-01-03' })).toBe('2026年12月28日–2027年1月3日')
  })
})
