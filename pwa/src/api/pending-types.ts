// TEMPORARY: shapes of the quota, statistics and export answers until schema.d.ts is regenerated.
export interface Ref { id: number; name: string }
export interface MemberQuota {
  member: { id: number; display_name: string; grids: Ref[] }
  profile: string | null
  note: string | null
  week: string
  from: string
  to: string
  working_days: number
  finds: number
  quota: number
  target: number
  missing: number
  bonus: number
  penalty: number
  points: number
  warning: boolean
  exempt: boolean
  provisional: boolean
  closed: boolean
  closed_at: string | null
  empty_weeks_in_a_row: number
  recommend_replacement: boolean
  find_list: { report_id: number; work_order_id: number | null; number: string | null; at: string; day_off: boolean }[]
  ledger: { id: number; at: string; reason: string; reason_label: string; points: number; work_order_id: number | null; number: string | null; note: string | null }[]
  year_points: number
}
export interface Leaderboard {
  week: string
  scope: string
  grid: Ref | null
  items: { rank: number; member: { id: number; display_name: string }; grid: Ref; finds: number; points: number }[]
}
export interface Totals {
  orders: number
  by_status: Record<string, number>
  clocks: { met: number; missed: number; running: number }
  dispatch_time_s: { p50: number | null; p95: number | null }
  satisfaction: Record<string, number>
  returns: number
  extensions: number
  supervisions: number
}
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
export interface DepartmentStats extends Totals {
  department: Ref
  score: Score
  links: Record<string, string>
}
export interface DepartmentStatsPage { from: string; to: string; scheme: string; scheme_label: string; items: DepartmentStats[] }
export interface Hotspots {
  from: string
  to: string
  clusters: { lat: number; lng: number; category_number: number; category_name: string; count: number; open: number; grid: Ref | null; numbers: string[]; link: string }[]
  grids: { id: number; name: string; geometry: unknown; open: number; total: number }[]
}
export interface ReportExport {
  id: number
  kind: string
  kind_label?: string
  from: string
  to: string
  status: string
  generated_at: string | null
}
