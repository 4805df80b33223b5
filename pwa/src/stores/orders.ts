import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api'
import { ApiError } from '@/api/http'
import type { Page, WorkOrder, WorkOrderQuery, WorkOrderSummary } from '@/api/types'
import { syncServerClock } from '@/composables/now'
import { usePagedList } from '@/composables/paged'

/** One page of the role's work list; its countdowns also set the screen's clock to the server's. */
export async function workOrderPage(query: WorkOrderQuery, cursor: string | null): Promise<Page<WorkOrderSummary>> {
  const page = await api.workOrders({ ...query, cursor })
  const clock = page.items.find((o) => o.clock)?.clock
  if (clock) syncServerClock(clock.due_at, clock.remaining_s)
  return page
}

/** The server's work list for the current filters (a function: they change as the user taps). */
export function useWorkOrderList(query: () => WorkOrderQuery) {
  return usePagedList<WorkOrderSummary>((cursor) => workOrderPage(query(), cursor))
}

export const useOrdersStore = defineStore('orders', () => {
  const current = ref<WorkOrder | null>(null)

  function keep(order: WorkOrder) {
    current.value = order
    const clock = order.clocks.find((c) => !c.met_at && c.remaining_s !== null)
    if (clock) syncServerClock(clock.due_at, clock.remaining_s)
    return order
  }

  async function load(id: number) {
    return keep(await api.order(id))
  }

  /** A step with the version we saw; a stale version reloads the order and shows why. */
  async function step(id: number, step: string, body: Record<string, unknown> = {}) {
    const order = current.value?.id === id ? current.value : await load(id)
    try {
      return keep(await api.step(id, step, order.version, body))
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await load(id)
      throw error
    }
  }

  /** Uploads photos or a recording; answers the ids the server gave them. */
  async function addEvidence(id: number, phase: string, photos: File[], recording: Blob | null, recordingKind = 'first_contact', onProgress?: (f: number) => void) {
    const order = current.value?.id === id ? current.value : await load(id)
    const form = new FormData()
    form.append('version', String(order.version))
    form.append('phase', phase)
    form.append('recording_kind', recordingKind)
    photos.forEach((p) => form.append('photos', p))
    if (recording) form.append('recording', recording instanceof File ? recording : new File([recording], 'call.webm', { type: recording.type }))
    try {
      const { body } = await api.evidence(id, form, { onProgress })
      const { added, ...updated } = body
      keep(updated)
      return { photoIds: added.photo_ids, recordingIds: added.recording_ids }
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) await load(id)
      throw error
    }
  }

  return { current, load, step, addEvidence }
})
