import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, plannedApi } from '@/api'
import type { Notification } from '@/api/types'
import { useReferenceStore } from './reference'

export const useInboxStore = defineStore('inbox', () => {
  const items = ref<Notification[]>([])
  const unread = ref(0)
  const loading = ref(false)

  async function refreshUnread() {
    try {
      await useReferenceStore().ensureConfig()
      const count = await plannedApi.unreadCount()
      // PLANNED GET /inbox/unread-count; until then count the first page of unread items.
      unread.value = count ? count.unread : (await api.inbox(true)).items.length
    } catch {
      // Offline: keep the last badge.
    }
  }

  async function load() {
    loading.value = true
    try {
      items.value = (await api.inbox()).items
      unread.value = items.value.filter((n) => !n.read_at).length
      void refreshUnread()
    } finally {
      loading.value = false
    }
  }

  async function markRead(id: number) {
    const updated = await api.markRead(id)
    items.value = items.value.map((n) => (n.id === id ? updated : n))
    unread.value = Math.max(0, unread.value - 1)
  }

  return { items, unread, loading, load, markRead, refreshUnread }
})
