// Names for the generated OpenAPI types (./schema.d.ts, `npm run gen:api`): no hand-written
// shapes of API answers here.
import type { components, operations } from './schema'

type S = components['schemas']

export type Me = S['UserOut']
export type Grid = S['GridOut']
export type Department = S['DepartmentOut']
export type Category = S['CategoryOut']
export type ReportOut = S['ReportOut']
export type PhotoOut = S['PhotoOut']
export type RecordingOut = S['RecordingOut']
export type ClockOut = S['ClockOut']
export type EventOut = S['EventOut']
export type QueueItem = S['QueueItemOut']
export type Notification = S['NotificationOut']
export type ClassifyOut = S['ClassifyOut']
export type ClientConfig = S['ClientConfig']
export type TokenPair = S['TokenOut']
export type NextStep = S['NextStepOut']
export type WorkOrderSummary = S['WorkOrderSummaryOut']
export type SummaryClock = S['SummaryClockOut']
export type UnreadCount = S['UnreadCount']
/** GET /workorders' filters (status repeatable, q full text, sort, cursor). */
export type WorkOrderQuery = NonNullable<operations['list_orders_api_v1_workorders_get']['parameters']['query']>
/** GET /reports' filters. */
export type ReportQuery = NonNullable<operations['list_reports_api_v1_reports_get']['parameters']['query']>
export type OrderStatus = NonNullable<WorkOrderQuery['status']>[number]

export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

export type WorkOrder = S['WorkOrderOut']
export type OrderWarning = S['WarningOut']
export type LintProblem = S['LintProblemOut']
/** GET /codes: list name → its codes with their labels. */
export type CodeLists = Record<string, S['CodeOut'][]>

/** A member's week (GET /members/{id}/quota) and the leaderboard. */
export type MemberQuota = S['MemberQuotaOut']
export type Leaderboard = S['LeaderboardOut']
/** The command center's figures for a period. */
export type Totals = S['SummaryOut']
/** A department's score: the scheme's parts by name plus how the total was formed (free-form
 * on the server, see backend/scoring/schemes.py Score.as_dict). */
export type Score = Record<string, unknown> & {
  scheme: string
  label: string
  total: number | null
  grade?: string | null
  no_data: Record<string, string>
  total_rule: { text: string }
  counts: Record<string, number>
  notes: string[]
}
export type DepartmentStats = Omit<S['DepartmentStatsOut'], 'score'> & { score: Score }
export type DepartmentStatsPage = Omit<S['DepartmentStatsPage'], 'items'> & { items: DepartmentStats[] }
export type Hotspots = S['HotspotsOut']
export type ReportExport = S['ExportOut']
