import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, plannedApi, type WorkOrderQuery } from '@/api'
import { fallbackNextSteps } from '@/api/fallbacks'
import { ApiError } from '@/api/http'
import type { NextStep, WorkOrder, WorkOrderSummary } from '@/api/types'
import { useReferenceStore } from './reference'
import { useSessionStore } from './session'

/** The nearest clock still running (or breached and not met): what a countdown shows. */
export function nearestClock(order: Pick<WorkOrder, 'clocks'>) {
  const open = order.clocks.filter((c) => !c.met_at)
  open.sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at))
  return open[0] ?? null
}

export function nextStepsOf(order: WorkOrder, role: string): NextStep[] {
  return order.next_steps ?? fallbackNextSteps(order, role) // PLANNED next_steps
}

function toSummary(order: WorkOrder, role: string, statusLabel: string, clockLabel: (name: string) => string): WorkOrderSummary {
  const clock = nearestClock(order)
  const photo = order.evidence.reports[0]?.photos[0]
  return {
    id: order.id,
    number: order.number,
    version: order.version,
    status: order.status,
    status_label: order.status_label ?? statusLabel,
    source: order.source,
    level: order.level,
    category_number: order.category_number,
    category_name: order.category_name,
    address: order.address,
    description: order.description,
    thumbnail_url: photo?.urls.thumbnail ?? null,
    created_at: order.created_at,
    updated_at: order.events.at(-1)?.at ?? order.created_at,
    lead_department: order.lead_department ?? null,
    clock: clock
      ? {
          name: clock.name,
          label: clockLabel(clock.name),
          due_at: clock.due_at,
          remind_at: clock.remind_at,
          remaining_s: clock.remaining_s,
          unit: 's',
          state: clock.breached_at ? 'breached' : 'ok',
        }
      : null,
    flags: [],
    next_steps: nextStepsOf(order, role),
  }
}

async function inParallel<T, R>(values: T[], limit: number, work: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(values.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, values.length) }, async () => {
      while (next < values.length) {
        const index = next++
        results[index] = await work(values[index])
      }
    }),
  )
  return results
}

export const useOrdersStore = defineStore('orders', () => {
  const list = ref<WorkOrderSummary[]>([])
  const loading = ref(false)
  const usingFallback = ref(false)
  const current = ref<WorkOrder | null>(null)

  /** Ids of orders this user has been told about (PLANNED fallback for GET /workorders). */
  async function knownOrderIds(role: string): Promise<number[]> {
    const ids = new Set<number>()
    if (role === 'member' || role === 'inspector') {
      for (const r of (await api.myReports()).items) if (r.work_order_id) ids.add(r.work_order_id)
    }
    if (['dispatcher', 'leader', 'admin'].includes(role)) {
      for (const q of (await api.queue()).items) ids.add(q.id)
    }
    let cursor: string | null = null
    for (let page = 0; page < 4; page++) {
      const inbox: Awaited<ReturnType<typeof api.inbox>> = await api.inbox(false, cursor)
      for (const n of inbox.items) if (n.work_order_id) ids.add(n.work_order_id)
      cursor = inbox.next_cursor
      if (!cursor) break
    }
    return [...ids]
  }

  async function loadList(query: WorkOrderQuery = {}) {
    const session = useSessionStore()
    const reference = useReferenceStore()
    const role = session.role ?? 'member'
    loading.value = true
    try {
      await reference.ensureConfig()
      const page = await plannedApi.workOrders({ sort: 'due', ...query })
      if (page) {
        usingFallback.value = false
        list.value = page.items
        return
      }
      usingFallback.value = true
      const orders = await inParallel(await knownOrderIds(role), 6, (id) => api.order(id).catch(() => null))
      let rows = orders
        .filter((o): o is WorkOrder => o !== null)
        .map((o) => toSummary(o, role, reference.label('statuses', o.status), (n) => reference.label('clocks', n)))
      if (query.status?.length) rows = rows.filter((r) => query.status!.includes(r.status))
      if (query.q) {
        const q = query.q.trim()
        rows = rows.filter((r) => r.number.includes(q) || r.description.includes(q) || (r.address ?? '').includes(q))
      }
      rows.sort((a, b) => (a.clock ? Date.parse(a.clock.due_at) : Infinity) - (b.clock ? Date.parse(b.clock.due_at) : Infinity))
      list.value = rows
    } finally {
      loading.value = false
    }
  }

  async function load(id: number) {
    current.value = await api.order(id)
    return current.value
  }

  /** A step with the version we saw; a stale version reloads the order and shows why. */
  async function step(id: number, step: string, body: Record<string, unknown> = {}) {
    const order = current.value?.id === id ? current.value : await load(id)
    try {
      current.value = await api.step(id, step, order.version, body)
      return current.value
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await load(id)
      throw error
    }
  }

  /** Uploads photos or a recording; answers the new ids (PLANNED `added`, else a diff). */
  async function addEvidence(id: number, phase: string, photos: File[], recording: Blob | null, recordingKind = 'first_contact', onProgress?: (f: number) => void) {
    const order = current.value?.id === id ? current.value : await load(id)
    const beforePhotos = new Set(order.evidence.photos.map((p) => p.id))
    const beforeRecordings = new Set(order.evidence.recordings.map((r) => r.id))
    const form = new FormData()
    form.append('version', String(order.version))
    form.append('phase', phase)
    form.append('recording_kind', recordingKind)
    photos.forEach((p) => form.append('photos', p))
    if (recording) form.append('recording', recording instanceof File ? recording : new File([recording], 'call.webm', { type: recording.type }))
    try {
      const { body } = await api.evidence(id, form, { onProgress })
      current.value = body
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await load(id)
      throw error
    }
    const updated = current.value!
    const added = (updated as WorkOrder & { added?: { photo_ids: number[]; recording_ids: number[] } }).added
    return {
      photoIds: added?.photo_ids ?? updated.evidence.photos.filter((p) => !beforePhotos.has(p.id)).map((p) => p.id),
      recordingIds: added?.recording_ids ?? updated.evidence.recordings.filter((r) => !beforeRecordings.has(r.id)).map((r) => r.id),
    }
  }

  return { list, loading, usingFallback, current, loadList, load, step, addEvidence }
})
