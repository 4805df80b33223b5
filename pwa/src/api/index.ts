// Every endpoint the app uses, typed from the generated OpenAPI schema (./schema.d.ts).
import type { components } from './schema'
import { ApiError, request, upload, type Tokens, type UploadOptions } from './http'
import type {
  Category,
  ClassifyOut,
  ClientConfig,
  CodeLists,
  Department,
  Grid,
  LintProblem,
  Me,
  Notification,
  Page,
  QueueItem,
  ReportOut,
  ReportQuery,
  UnreadCount,
  WorkOrder,
  WorkOrderQuery,
  WorkOrderSummary,
} from './types'

type S = components['schemas']
type Body<T> = Omit<T, 'version'>

export const api = {
  clientConfig: () => request<ClientConfig>('/client-config', { auth: false }),
  login: (username: string, password: string) =>
    request<Tokens>('/auth/login', { form: new URLSearchParams({ username, password }), auth: false }),
  logout: (refresh_token: string) => request<void>('/auth/logout', { json: { refresh_token } }),
  me: () => request<Me>('/me'),
  grids: () => request<Page<Grid>>('/grids', { query: { level: 3, limit: 100 } }),
  departments: () => request<Page<Department>>('/departments', { query: { limit: 100 } }),
  categories: () => request<Page<Category>>('/categories', { query: { limit: 200 } }),
  classify: (text: string, signal?: AbortSignal) => request<ClassifyOut>('/classify', { json: { text }, signal }),

  submitReport: (form: FormData, options?: UploadOptions) => upload<ReportOut>('/reports', form, options),
  /** My reports (the command center: all), newest first, each with its order's status label. */
  myReports: (query: ReportQuery = {}) => request<Page<ReportOut>>('/reports', { query: { limit: 20, ...query } }),
  report: (id: number) => request<ReportOut>(`/reports/${id}`),

  /** The role's work list from the server (who sees what, order and countdowns are its call). */
  workOrders: (query: WorkOrderQuery = {}) => request<Page<WorkOrderSummary>>('/workorders', { query: { limit: 20, ...query } }),
  order: (id: number) => request<WorkOrder>(`/workorders/${id}`),
  step: (id: number, step: string, version: number, body: Record<string, unknown> = {}) =>
    request<WorkOrder>(`/workorders/${id}/${step}`, { json: { ...body, version } }),
  evidence: (id: number, form: FormData, options?: UploadOptions) =>
    upload<S['EvidenceAddedOut']>(`/workorders/${id}/evidence`, form, options),

  queue: () => request<Page<QueueItem>>('/dispatch/queue', { query: { limit: 100 } }),
  dispatch: (id: number, version: number, body: Body<S['DispatchIn']>) =>
    request<WorkOrder>(`/workorders/${id}/dispatch`, { json: { ...body, version } }),
  merge: (id: number, version: number, into_work_order_id: number) =>
    request<WorkOrder>(`/workorders/${id}/merge`, { json: { version, into_work_order_id } }),
  reject: (id: number, version: number, reason_code: string, note: string) =>
    request<WorkOrder>(`/workorders/${id}/reject`, { json: { version, reason_code, note } }),

  inbox: (query: { unread?: boolean; actionable?: boolean; cursor?: string | null } = {}) =>
    request<Page<Notification>>('/inbox', { query: { limit: 20, ...query } }),
  unreadCount: () => request<UnreadCount>('/inbox/unread-count'),
  markRead: (id: number) => request<Notification>(`/inbox/${id}/read`, { method: 'POST' }),
}

// ---- PLANNED endpoints: feature-detected; each answers null while the backend lacks it. ----

function missing(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405) && error.code !== 'work_order_not_found'
}

// The server lists the optional APIs it has in GET /client-config; until that answer is in
// (offline start), a missing endpoint's 404 counts as "not there yet".
let features: Set<string> | null = null
export function setFeatures(names: string[] | null | undefined): void {
  features = names ? new Set(names) : null
}

async function planned<T>(call: () => Promise<T>, feature?: string): Promise<T | null> {
  if (feature && features && !features.has(feature)) return null
  try {
    return await call()
  } catch (error) {
    if (missing(error)) return null
    throw error
  }
}

export const plannedApi = {
  /** PLANNED GET /codes. */
  codes: () => planned(() => request<CodeLists>('/codes'), 'codes'),
  /** PLANNED POST /closure/lint. */
  closureLint: (body: { process: string; basis: string; reply?: string }) =>
    planned(() => request<{ problems: LintProblem[] }>('/closure/lint', { json: body }), 'closure_lint'),
}
