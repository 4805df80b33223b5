import { onScopeDispose, ref, type Ref } from 'vue'

// One ticking clock shared by every countdown on the screen, in the server's time: a cheap
// phone's clock is often minutes off, and a countdown must agree with the deadline the server
// enforces. The offset is learnt from the API's countdowns (remaining_s against due_at).
const now = ref(Date.now())
let offsetMs = 0
let users = 0
let timer: ReturnType<typeof setInterval> | null = null

// Below this the difference is network latency and whole-second rounding: ignored, so the
// countdowns don't jump by a second with every page.
const NOISE_MS = 5_000

/** Learns the server's clock from a countdown it sent: due_at, remaining_s, when it arrived. */
export function syncServerClock(dueAt: string, remainingS: number | null | undefined, receivedAt = Date.now()): void {
  if (remainingS === null || remainingS === undefined) return
  const serverNow = Date.parse(dueAt) - remainingS * 1000
  const offset = serverNow - receivedAt
  offsetMs = Math.abs(offset) < NOISE_MS ? 0 : offset
  now.value = Date.now() + offsetMs
}

/** The server's "now" as this phone best knows it. */
export function serverNow(): number {
  return Date.now() + offsetMs
}

export function useNow(): Ref<number> {
  users += 1
  if (!timer) {
    now.value = serverNow()
    timer = setInterval(() => (now.value = serverNow()), 1000)
  }
  onScopeDispose(() => {
    users -= 1
    if (users === 0 && timer) {
      clearInterval(timer)
      timer = null
    }
  })
  return now
}
