import type { WorkOrderQuery } from '@/api/types'

/** One status tab of a work list screen: its label and the GET /workorders filters it sends. */
export interface OrderFilter {
  key: string
  label: string
  query: WorkOrderQuery
}
