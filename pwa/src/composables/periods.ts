// Weeks and months on the street's calendar (Asia/Shanghai, UTC+8 all year), whatever zone the
// phone is set to: a member's week and a month's report are the street's, not the phone's.
const SHANGHAI_MS = 8 * 3600_000
const DAY_MS = 86_400_000

export interface Period {
  from: string // YYYY-MM-DD, inclusive
  to: string
}

/** The Shanghai calendar day of an instant, as UTC midnight of that day. */
function shanghaiDay(instantMs: number): Date {
  const shifted = new Date(instantMs + SHANGHAI_MS)
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()))
}

function iso(day: Date): string {
  return day.toISOString().slice(0, 10)
}

function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * DAY_MS)
}

/** The ISO 8601 week (2026-W47) a Shanghai day falls in. */
function isoWeekOf(day: Date): string {
  const weekday = day.getUTCDay() || 7
  const thursday = addDays(day, 4 - weekday) // the week belongs to the year of its Thursday
  const year = thursday.getUTCFullYear()
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** Monday of an ISO week, as UTC midnight. */
function mondayOf(week: string): Date {
  const match = /^(\d{4})-W(\d{2})$/.exec(week)
  if (!match) throw new Error(`not an ISO week: ${week}`)
  const year = Number(match[1])
  const jan4 = new Date(Date.UTC(year, 0, 4))
  const week1Monday = addDays(jan4, 1 - (jan4.getUTCDay() || 7))
  return addDays(week1Monday, (Number(match[2]) - 1) * 7)
}

export function weekOf(instantMs: number): string {
  return isoWeekOf(shanghaiDay(instantMs))
}

export function shiftWeek(week: string, by: number): string {
  return isoWeekOf(addDays(mondayOf(week), by * 7))
}

export function weekPeriod(week: string): Period {
  const monday = mondayOf(week)
  return { from: iso(monday), to: iso(addDays(monday, 6)) }
}

/** "11月16日–11月22日" */
export function weekLabel(week: string): string {
  const { from, to } = weekPeriod(week)
  const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`
  return `${md(from)}–${md(to)}`
}

/** The month of an instant shifted by `by` months (0: this month, -1: last month). */
export function monthPeriod(instantMs: number, by = 0): Period {
  const day = shanghaiDay(instantMs)
  const first = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + by, 1))
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0))
  return { from: iso(first), to: iso(last) }
}

/** This month so far: the first of the month to today. */
export function monthToDate(instantMs: number): Period {
  return { from: monthPeriod(instantMs).from, to: iso(shanghaiDay(instantMs)) }
}

export function periodLabel(period: Period): string {
  const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`
  const year = period.from.slice(0, 4)
  return `${year}年${md(period.from)}–${period.to.slice(0, 4) !== year ? `${period.to.slice(0, 4)}年` : ''}${md(period.to)}`
}
