// The one HTTP client: the bearer token, one refresh on an expired token, and the API's
// error body turned into an ApiError whose `message` is shown to the user as it is.
export const API_BASE = '/api/v1'
const TOKENS_KEY = 'gridline.tokens'

export interface Tokens {
  access_token: string
  refresh_token: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** Worth sending again later (offline, server trouble, throttled), not a refusal. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500
  }
}

export const NETWORK_MESSAGE = '网络不可用，已保存，恢复网络后自动发送'

let tokens: Tokens | null = loadTokens()
let refreshing: Promise<boolean> | null = null
const expiredListeners = new Set<() => void>()

function loadTokens(): Tokens | null {
  try {
    const raw = globalThis.localStorage?.getItem(TOKENS_KEY)
    return raw ? (JSON.parse(raw) as Tokens) : null
  } catch {
    return null
  }
}

export function getTokens(): Tokens | null {
  return tokens
}

export function setTokens(next: Tokens | null): void {
  tokens = next
  if (next) localStorage.setItem(TOKENS_KEY, JSON.stringify(next))
  else localStorage.removeItem(TOKENS_KEY)
}

/** Called when the refresh token is refused: the session is over. */
export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener)
  return () => expiredListeners.delete(listener)
}

export async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`
  let message = `请求失败（${response.status}）`
  let field: string | null = null
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; field?: string } }
    if (body.error) {
      code = body.error.code ?? code
      message = body.error.message ?? message
      field = body.error.field ?? null
    }
  } catch {
    // Not JSON (a proxy's error page): keep the generic message.
  }
  return new ApiError(response.status, code, message, field)
}

export function errorFromXhr(xhr: XMLHttpRequest): ApiError {
  if (xhr.status === 0) return new ApiError(0, 'network_error', NETWORK_MESSAGE)
  try {
    const body = JSON.parse(xhr.responseText) as { error?: { code?: string; message?: string; field?: string } }
    if (body.error?.message) {
      return new ApiError(xhr.status, body.error.code ?? `http_${xhr.status}`, body.error.message, body.error.field ?? null)
    }
  } catch {
    // fall through
  }
  return new ApiError(xhr.status, `http_${xhr.status}`, `请求失败（${xhr.status}）`)
}

/** Rotates the token pair once, however many requests found it expired at the same time. */
export function refreshTokens(): Promise<boolean> {
  if (!tokens) return Promise.resolve(false)
  refreshing ??= (async () => {
    try {
      const response = await fetch(`${API_BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens?.refresh_token }),
      })
      if (response.ok) {
        setTokens((await response.json()) as Tokens)
        return true
      }
      if (response.status === 401 || response.status === 403 || response.status === 422) {
        setTokens(null)
        expiredListeners.forEach((listener) => listener())
      }
      return false
    } catch {
      return false // offline: keep the tokens, try again later
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

export interface RequestOptions {
  method?: string
  json?: unknown
  form?: FormData | URLSearchParams
  query?: Record<string, string | number | boolean | (string | number)[] | null | undefined>
  auth?: boolean
  signal?: AbortSignal
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v))
  }
  const qs = params.toString()
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`
}

export async function rawRequest(path: string, options: RequestOptions = {}, retried = false): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  let body: BodyInit | undefined
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    body = options.form
  }
  if (options.auth !== false && tokens) headers.Authorization = `Bearer ${tokens.access_token}`
  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: options.signal,
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'network_error', '网络不可用，请检查网络后重试')
  }
  if (response.status === 401 && options.auth !== false && !retried && tokens) {
    const error = await errorFrom(response.clone())
    if (['token_expired', 'token_invalid', 'not_authenticated'].includes(error.code) && (await refreshTokens())) {
      return rawRequest(path, options, true)
    }
  }
  return response
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await rawRequest(path, options)
  if (!response.ok) throw await errorFrom(response)
  if (response.status === 204) return undefined as T
  return (await response.json()) as T
}

export interface UploadOptions {
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

/** Multipart POST through XMLHttpRequest, for its upload progress events. */
export function upload<T>(path: string, form: FormData, options: UploadOptions = {}, retried = false): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl(path))
    xhr.setRequestHeader('Accept', 'application/json')
    if (tokens) xhr.setRequestHeader('Authorization', `Bearer ${tokens.access_token}`)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total)
    }
    xhr.onerror = () => reject(new ApiError(0, 'network_error', NETWORK_MESSAGE))
    xhr.ontimeout = () => reject(new ApiError(408, 'timeout', '上传超时，稍后自动重试'))
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'))
    xhr.onload = async () => {
      if (xhr.status === 401 && !retried && tokens && (await refreshTokens())) {
        upload<T>(path, form, options, true).then(resolve, reject)
        return
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        options.onProgress?.(1)
        resolve({ status: xhr.status, body: JSON.parse(xhr.responseText) as T })
      } else {
        reject(errorFromXhr(xhr))
      }
    }
    options.signal?.addEventListener('abort', () => xhr.abort())
    xhr.send(form)
  })
}
