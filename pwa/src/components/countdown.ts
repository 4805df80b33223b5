// The countdown's colour comes from the API's two instants (remind_at, due_at); nothing here
// decides a deadline.
export type CountdownState = 'ok' | 'warning' | 'breached'

export function countdownState(now: number, dueAt: string, remindAt: string | null | undefined): CountdownState {
  if (now >= Date.parse(dueAt)) return 'breached'
  if (remindAt && now >= Date.parse(remindAt)) return 'warning'
  return 'ok'
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
