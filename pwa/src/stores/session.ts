import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '@/api'
import { ApiError, getTokens, onSessionExpired, setTokens } from '@/api/http'
import type { Me } from '@/api/types'

const ME_KEY = 'gridline.me'

export type Role = Me['role']

function cachedMe(): Me | null {
  try {
    const raw = localStorage.getItem(ME_KEY)
    return raw ? (JSON.parse(raw) as Me) : null
  } catch {
    return null
  }
}

export const useSessionStore = defineStore('session', () => {
  // The user is kept locally so the app opens offline with the last session.
  const me = ref<Me | null>(getTokens() ? cachedMe() : null)
  const loggedIn = computed(() => me.value !== null)
  const role = computed<Role | null>(() => me.value?.role ?? null)
  // 网格长 (seed 001): leads grids; patrols only the grids it is not chief of.
  const chiefGridIds = computed(() => me.value?.chief_grid_ids ?? [])
  const isChief = computed(() => chiefGridIds.value.length > 0)
  const patrols = computed(
    () => (role.value === 'member' || role.value === 'inspector') && (me.value?.grid_ids ?? []).some((id) => !chiefGridIds.value.includes(id)),
  )
  const seesStreet = computed(() => role.value === 'dispatcher' || role.value === 'leader' || role.value === 'admin')

  function remember(user: Me | null) {
    me.value = user
    if (user) localStorage.setItem(ME_KEY, JSON.stringify(user))
    else localStorage.removeItem(ME_KEY)
  }

  async function login(username: string, password: string) {
    setTokens(await api.login(username, password))
    remember(await api.me())
  }

  /** At start: refresh who we are; offline keeps the cached user. */
  async function restore() {
    if (!getTokens()) return remember(null)
    try {
      remember(await api.me())
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) remember(null)
    }
  }

  async function logout() {
    const tokens = getTokens()
    try {
      if (tokens) await api.logout(tokens.refresh_token)
    } catch {
      // Offline or already revoked: the local session ends anyway.
    }
    setTokens(null)
    remember(null)
  }

  onSessionExpired(() => remember(null))

  return { me, role, loggedIn, isChief, patrols, seesStreet, login, restore, logout }
})

export function homeOf(role: Role | null | undefined): string {
  switch (role) {
    case 'member':
    case 'inspector':
      return '/report'
    case 'handler':
      return '/tasks'
    case 'dispatcher':
    case 'leader':
    case 'admin':
      return '/command/queue'
    default:
      return '/login'
  }
}
