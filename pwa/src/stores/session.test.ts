import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { getTokens, setTokens } from '@/api/http'
import { homeOf, useSessionStore } from './session'

const ME = { id: 3, username: 'demo-handler', display_name: '王承办', role: 'handler', department: { id: 1, name: '第一片区', kind: 'area_team' }, grid_ids: [], phone: null }

function json(status: number, body: unknown) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('session store', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  beforeEach(() => {
    setActivePinia(createPinia())
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setTokens(null)
    localStorage.clear()
  })

  it('logs in with the form fields, keeps the tokens and who the user is', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { access_token: 'a', refresh_token: 'r', token_type: 'bearer' })).mockResolvedValueOnce(json(200, ME))
    const session = useSessionStore()
    await session.login('demo-handler', 'gridline-demo')
    const body = fetchMock.mock.calls[0][1].body as URLSearchParams
    expect(body.get('username')).toBe('demo-handler')
    expect(session.role).toBe('handler')
    expect(homeOf(session.role)).toBe('/tasks')
    expect(getTokens()?.refresh_token).toBe('r')
    // A restart (a new store) opens with the same user, even offline.
    setActivePinia(createPinia())
    expect(useSessionStore().me?.display_name).toBe('王承办')
  })

  it('keeps the cached user when the network is down at start', async () => {
    setTokens({ access_token: 'a', refresh_token: 'r' })
    localStorage.setItem('gridline.me', JSON.stringify(ME))
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const session = useSessionStore()
    await session.restore()
    expect(session.loggedIn).toBe(true)
  })

  it('logs out on the server and forgets everything locally', async () => {
    setTokens({ access_token: 'a', refresh_token: 'r' })
    localStorage.setItem('gridline.me', JSON.stringify(ME))
    fetchMock.mockResolvedValueOnce(json(204, undefined))
    const session = useSessionStore()
    await session.logout()
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/auth/logout')
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ refresh_token: 'r' })
    expect(session.loggedIn).toBe(false)
    expect(getTokens()).toBeNull()
    expect(localStorage.getItem('gridline.me')).toBeNull()
  })
})
