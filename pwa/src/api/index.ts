// Every endpoint the app uses, typed from the generated OpenAPI schema (./schema.d.ts).
import type { components } from './schema'
import { errorFrom, rawRequest, request, upload, type Tokens, type UploadOptions } from './http'
import type { DepartmentStatsPage, Hotspots, Leaderboard, MemberQuota, ReportExport, Totals } from './types'
import type {
  Category,
  ClassifyOut,
  ClientConfig,
  CodeLists,
  Department,
  Grid,
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

  /** Every code list with its Chinese labels (statuses, sources, clocks, flags, …). */
  codes: () => request<CodeLists>('/codes'),
  /** The forbidden and discouraged wording in a closure report being written. */
  closureLint: (body: S['ClosureLintIn']) => request<S['ClosureLintOut']>('/closure/lint', { json: body }),

  /** A member's week: finds against the quota, points and the reasons behind them. */
  memberQuota: (memberId: number, week?: string) => request<MemberQuota>(`/members/${memberId}/quota`, { query: { week } }),
  leaderboard: (query: { week?: string; scope?: 'grid' | 'community'; grid_id?: number }) =>
    request<Leaderboard>('/leaderboards/members', { query }),

  /** The command center's figures for a period (dates inclusive, Asia/Shanghai). */
  statsSummary: (from: string, to: string) => request<Totals>('/stats/summary', { query: { from, to } }),
  statsDepartments: (from: string, to: string) => request<DepartmentStatsPage>('/stats/departments', { query: { from, to } }),
  hotspots: (from: string, to: string) => request<Hotspots>('/stats/hotspots', { query: { from, to } }),

  exports: () => request<Page<ReportExport>>('/exports', { query: { limit: 20 } }),
  createExport: (kind: string, from?: string) => request<ReportExport>('/exports', { json: { kind, from } }),
  /** The .xlsx of an export, with the name the server gave it. */
  async downloadExport(id: number): Promise<{ blob: Blob; filename: string }> {
    const response = await rawRequest(`/exports/${id}/download`)
    if (!response.ok) throw await errorFrom(response)
    const disposition = response.headers.get('Content-Disposition') ?? ''
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1]
    return { blob: await response.blob(), filename: encoded ? decodeURIComponent(encoded) : `report-${id}.xlsx` }
  },
}
