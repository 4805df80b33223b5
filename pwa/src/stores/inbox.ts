import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api'

// The tab bar's badge: GET /inbox/unread-count (unread and not yet resolved), polled while the
// app is in front; the inbox list itself is paged on its screen.
const POLL_MS = 60_000

export const useInboxStore = defineStore('inbox', () => {
  const unread = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null

  async function refreshUnread() {
    try {
      unread.value = (await api.unreadCount()).unread
    } catch {
      // Offline: keep the last badge.
    }
  }

  function onVisible() {
    if (document.visibilityState === 'visible') void refreshUnread()
  }

  /** Polls the badge while logged in; stops on logout. */
  function watchUnread(on: boolean) {
    if (timer) clearInterval(timer)
    timer = null
    document.removeEventListener('visibilitychange', onVisible)
    if (!on) {
      unread.value = 0
      return
    }
    void refreshUnread()
    timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refreshUnread()
    }, POLL_MS)
    document.addEventListener('visibilitychange', onVisible)
  }

  async function markRead(id: number) {
    const updated = await api.markRead(id)
    void refreshUnread()
    return updated
  }

  return { unread, refreshUnread, watchUnread, markRead }
})
