// How an outbox item becomes a POST /reports (multipart, with upload progress).
import { api } from '@/api'
import { fileOf, type OutboxItem } from './db'
import type { SendResult } from './outbox'

export function reportForm(item: OutboxItem): FormData {
  const form = new FormData()
  form.append('client_uuid', item.id)
  for (const [key, value] of Object.entries(item.fields)) if (value !== '') form.append(key, value)
  for (const photo of item.photos) form.append('photos', fileOf(photo))
  if (item.voice) form.append('voice', fileOf(item.voice))
  return form
}

export async function sendReport(item: OutboxItem, onProgress: (fraction: number) => void): Promise<SendResult> {
  // 201 (new) and 200 (a resend of a client_uuid the server already has) both mean sent.
  const { status } = await api.submitReport(reportForm(item), { onProgress })
  return { status }
}
