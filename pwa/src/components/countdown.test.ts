import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { syncServerClock } from '@/composables/now'
import CountdownTag from './CountdownTag.vue'
import { countdownState, formatRemaining } from './countdown'

const T0 = Date.parse('2026-11-23T09:00:00+08:00')
const iso = (ms: number) => new Date(ms).toISOString()

describe('countdown colour from the API instants', () => {
  it('is green before remind_at, amber from it, red from due_at', () => {
    const remind = iso(T0 + 10 * 60_000)
    const due = iso(T0 + 30 * 60_000)
    expect(countdownState(T0, due, remind)).toBe('ok')
    expect(countdownState(T0 + 10 * 60_000, due, remind)).toBe('warning')
    expect(countdownState(T0 + 30 * 60_000, due, remind)).toBe('breached')
    expect(countdownState(T0 + 20 * 60_000, due, null)).toBe('ok')
  })

  it("never shows a clock greener than the server's state", () => {
    const due = iso(T0 + 30 * 60_000)
    expect(countdownState(T0, due, null, 'breached')).toBe('breached')
    expect(countdownState(T0, due, null, 'warning')).toBe('warning')
    expect(countdownState(T0 + 31 * 60_000, due, null, 'ok')).toBe('breached')
  })

  it('reads in Chinese, days to seconds, and says when it is late', () => {
    expect(formatRemaining(29 * 60_000 + 5_000)).toBe('剩余 29分05秒')
    expect(formatRemaining(2 * 3600_000 + 3 * 60_000)).toBe('剩余 2小时03分')
    expect(formatRemaining(3 * 86400_000 + 4 * 3600_000)).toBe('剩余 3天4小时')
    expect(formatRemaining(-90_000)).toBe('已超时 1分30秒')
  })
})

describe('CountdownTag', () => {
  afterEach(() => vi.useRealTimers())

  it('ticks live and turns amber, then red', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(T0)
    const wrapper = mount(CountdownTag, { props: { dueAt: iso(T0 + 3_000), remindAt: iso(T0 + 1_000), label: '派单' } })
    expect(wrapper.text()).toBe('派单剩余 0分03秒')
    expect(wrapper.classes()).toContain('ok')
    vi.advanceTimersByTime(1_000)
    await nextTick()
    expect(wrapper.classes()).toContain('warning')
    expect(wrapper.text()).toBe('派单剩余 0分02秒')
    vi.advanceTimersByTime(3_000)
    await nextTick()
    expect(wrapper.classes()).toContain('breached')
    expect(wrapper.text()).toBe('派单已超时 0分01秒')
    expect(wrapper.attributes('role')).toBe('timer')
    wrapper.unmount()
  })

  it("counts in the server's time on a phone whose clock is off", async () => {
    vi.useFakeTimers()
    // The phone is 10 minutes behind: the server said 5 minutes remain.
    vi.setSystemTime(T0 - 10 * 60_000)
    const due = iso(T0 + 5 * 60_000)
    syncServerClock(due, 300)
    const wrapper = mount(CountdownTag, { props: { dueAt: due, label: '派单', state: 'ok' } })
    expect(wrapper.text()).toBe('派单剩余 5分00秒')
    vi.advanceTimersByTime(6 * 60_000)
    await nextTick()
    expect(wrapper.classes()).toContain('breached')
    expect(wrapper.text()).toBe('派单已超时 1分00秒')
    wrapper.unmount()
    // A few seconds of difference is latency: ignored.
    syncServerClock(due, Math.round((Date.parse(due) - Date.now()) / 1000) - 2)
  })
})
