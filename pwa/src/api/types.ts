// Names for the generated OpenAPI types, and the shapes of PLANNED endpoints (marked) that the
// backend is adding; once they land, `npm run gen:api` and point these aliases at the schema.
import type { components } from './schema'

type S = components['schemas']

export type Me = S['UserOut']
export type Grid = S['GridOut']
export type Department = S['DepartmentOut']
export type Category = S['CategoryOut']
export type ReportOut = S['ReportOut']
export type PhotoOut = S['PhotoOut']
export type RecordingOut = S['RecordingOut']
export type WorkOrderBase = S['WorkOrderOut']
export type ClockOut = S['ClockOut']
export type EventOut = S['EventOut']
export type QueueItem = S['QueueItemOut']
export type Notification = S['NotificationOut']
export type ClassifyOut = S['ClassifyOut']
export type ClientConfig = S['ClientConfig']
export type TokenPair = S['TokenOut']

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

// PLANNED: next_steps on every order (the steps the caller may take now).
export interface NextStep {
  step: string
  label: string
  ready: boolean
  needs: string[]
}

// PLANNED: fields every WorkOrderOut gains; optional until the backend sends them.
export type WorkOrder = WorkOrderBase & {
  status_label?: string
  next_steps?: NextStep[]
  caller?: { name: string | null; phone: string | null } | null
  warnings?: { code: string; message: string }[]
}

// PLANNED: GET /workorders items.
export interface WorkOrderSummary {
  id: number
  number: string
  version: number
  status: string
  status_label: string
  source: string
  level: string
  category_number: number | null
  category_name: string | null
  address: string | null
  description: string
  thumbnail_url: string | null
  created_at: string
  updated_at: string
  lead_department: { id: number; name: string; kind: string } | null
  clock: {
    name: string
    label: string
    due_at: string
    remind_at: string | null
    remaining_s: number | null
    unit: string
    state: 'ok' | 'warning' | 'breached'
  } | null
  flags: string[]
  next_steps: NextStep[]
}

// PLANNED: POST /closure/lint.
export interface LintProblem {
  field: string
  phrase: string
  hint: string
  severity: 'forbidden' | 'discouraged'
}

export type CodeLists = Record<string, { code: string; label: string }[]>
