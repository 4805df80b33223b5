// The countdown's colour comes from the API's instants (remind_at, due_at) and the state it
// sent; nothing here decides a deadline.
export type CountdownState = 'ok' | 'warning' | 'breached'

const RANK: Record<CountdownState, number> = { ok: 0, warning: 1, breached: 2 }

export function countdownState(now: number, dueAt: string, remindAt: string | null | undefined, sent?: string | null): CountdownState {
  let state: CountdownState = 'ok'
  if (now >= Date.parse(dueAt)) state = 'breached'
  else if (remindAt && now >= Date.parse(remindAt)) state = 'warning'
  // The server's state is a floor: time only moves a clock towards red (a breach it recorded
  // stays red even where the deadline moved).
  if (sent && sent in RANK && RANK[sent as CountdownState] > RANK[state]) return sent as CountdownState
  return state
}

export function formatRemaining(ms: number): string {
  const late = ms < 0
  let s = Math.floor(Math.abs(ms) / 1000)
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  const pad = (n: number) => String(n).padStart(2, '0')
  const text = d > 0 ? `${d}天${h}小时` : h > 0 ? `${h}小时${pad(m)}分` : `${m}分${pad(s)}秒`
  return late ? `已超时 ${text}` : `剩余 ${text}`
}
