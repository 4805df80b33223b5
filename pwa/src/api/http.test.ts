import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, getTokens, onSessionExpired, request, setTokens } from './http'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('http client', () => {
  let fetchMock: ReturnType<typeof vi.fn>
  beforeEach(() => {
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    setTokens({ access_token: 'old-access', refresh_token: 'old-refresh' })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setTokens(null)
  })

  it('refreshes an expired token once and repeats the request with the new one', async () => {
    fetchMock
      .mockResolvedValueOnce(json(401, { error: { code: 'token_expired', message: '登录已过期' } }))
      .mockResolvedValueOnce(json(200, { access_token: 'new-access', refresh_token: 'new-refresh', token_type: 'bearer' }))
      .mockResolvedValueOnce(json(200, { id: 1, username: 'demo-member' }))
    const me = await request<{ username: string }>('/me')
    expect(me.username).toBe('demo-member')
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/auth/refresh')
    expect(JSON.parse(fetchMock.mock.calls[1][1].body)).toEqual({ refresh_token: 'old-refresh' })
    expect(fetchMock.mock.calls[2][1].headers.Authorization).toBe('Bearer new-access')
    // Rotation: the new pair is kept for the next start.
    expect(getTokens()?.refresh_token).toBe('new-refresh')
    expect(JSON.parse(localStorage.getItem('gridline.tokens') ?? '{}').refresh_token).toBe('new-refresh')
  })

  it('refreshes once for many requests that found the token expired together', async () => {
    let refreshes = 0
    fetchMock.mockImplementation(async (url: string, init: RequestInit) => {
      if (url === '/api/v1/auth/refresh') {
        refreshes += 1
        await new Promise((r) => setTimeout(r, 10))
        return json(200, { access_token: 'new-access', refresh_token: 'new-refresh', token_type: 'bearer' })
      }
      const auth = (init.headers as Record<string, string>).Authorization
      return auth === 'Bearer new-access' ? json(200, { ok: true }) : json(401, { error: { code: 'token_expired', message: '登录已过期' } })
    })
    await Promise.all([request('/a'), request('/b'), request('/c')])
    expect(refreshes).toBe(1)
  })

  it('ends the session when the refresh token is refused', async () => {
    const expired = vi.fn()
    const stop = onSessionExpired(expired)
    fetchMock
      .mockResolvedValueOnce(json(401, { error: { code: 'token_expired', message: '登录已过期' } }))
      .mockResolvedValueOnce(json(401, { error: { code: 'token_invalid', message: '登录已失效' } }))
    await expect(request('/me')).rejects.toMatchObject({ status: 401 })
    expect(expired).toHaveBeenCalledTimes(1)
    expect(getTokens()).toBeNull()
    stop()
  })

  it("shows the API's message as it is and keeps its code and field", async () => {
    fetchMock.mockResolvedValueOnce(json(409, { error: { code: 'stale_version', message: '工单已被他人更新，请刷新后重试', field: 'version' } }))
    const error = await request('/workorders/1/accept', { json: { version: 1 } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, code: 'stale_version', message: '工单已被他人更新，请刷新后重试', field: 'version' })
  })

  it('turns a failed fetch into a retryable network error', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const error = (await request('/me').catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(0)
    expect(error.retryable).toBe(true)
    expect(error.message).toContain('网络')
  })
})
