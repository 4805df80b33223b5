import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { openOutboxDb, storedFile, type OutboxDb, type OutboxItem } from '@/offline/db'
import { clearDraft, loadDraft, saveDraft, type Draft } from '@/offline/drafts'
import { installTriggers, Outbox } from '@/offline/outbox'
import { sendReport } from '@/offline/send-report'
import { useSessionStore } from './session'

export interface ReportDraft {
  clientUuid: string
  description: string
  lat: number
  lng: number
  crs: 'wgs84' | 'gcj02' | 'bd09'
  accuracy: number | null
  address: string
  categoryNumber: number | null
  capturedAt: string
  photos: File[]
  voice: Blob | null
}

export const useOutboxStore = defineStore('outbox', () => {
  const outbox = shallowRef<Outbox | null>(null)
  const session = useSessionStore()
  const all = ref<OutboxItem[]>([])
  // Each user sees (and sends) only the reports they filed on this phone.
  const items = computed(() => all.value.filter((i) => i.owner === (session.me?.id ?? null)))
  const progress = ref<Record<string, number>>({})
  const sentCount = ref(0)
  const pendingCount = computed(() => items.value.length)
  let ready: Promise<Outbox> | null = null
  let database: OutboxDb | null = null

  async function refresh() {
    if (outbox.value) all.value = await outbox.value.list()
  }

  function start(): Promise<Outbox> {
    ready ??= (async () => {
      database = await openOutboxDb()
      const box = new Outbox(database, sendReport, Date.now, globalThis.navigator?.locks, () => session.me?.id ?? null)
      outbox.value = box
      box.subscribe((event) => {
        if (event.type === 'progress' && event.id) {
          progress.value = { ...progress.value, [event.id]: event.fraction ?? 0 }
          return
        }
        if (event.type === 'sent') sentCount.value += 1
        void refresh()
      })
      await refresh()
      installTriggers(box)
      return box
    })()
    return ready
  }

  /** Queues the report and tries to send it now; it is safe in IndexedDB either way. */
  async function submit(draft: ReportDraft): Promise<void> {
    const box = await start()
    const fields: Record<string, string> = {
      description: draft.description,
      lat: draft.lat.toFixed(7),
      lng: draft.lng.toFixed(7),
      crs: draft.crs,
      accuracy_m: draft.accuracy === null ? '' : String(Math.round(draft.accuracy)),
      address: draft.address,
      category_number: draft.categoryNumber === null ? '' : String(draft.categoryNumber),
      captured_at: draft.capturedAt,
    }
    const photos = await Promise.all(draft.photos.map((p, i) => storedFile(p, p.name || `photo-${i + 1}.jpg`)))
    const voice = draft.voice ? await storedFile(draft.voice, voiceName(draft.voice.type)) : null
    await box.add({ id: draft.clientUuid, kind: 'report', owner: session.me?.id ?? null, fields, photos, voice })
    if (database && session.me) await clearDraft(database, session.me.id)
    await refresh()
    void box.flush({ force: true })
  }

  async function retry(id: string) {
    await (await start()).retry(id)
  }

  async function remove(id: string) {
    await (await start()).remove(id)
  }

  /** The unfinished report (drafts): saved as the member types, restored on the next start. */
  async function keepDraft(draft: Draft) {
    await start()
    if (database && session.me) await saveDraft(database, session.me.id, draft)
  }

  async function restoreDraft(): Promise<Draft | null> {
    await start()
    return database && session.me ? loadDraft(database, session.me.id) : null
  }

  // A user logging in sends what they left queued.
  watch(() => session.me?.id, (id) => {
    if (id && outbox.value) void outbox.value.flush({ force: true })
  })

  return { items, progress, pendingCount, sentCount, start, submit, retry, remove, refresh, keepDraft, restoreDraft }
})

function voiceName(type: string): string {
  if (type.includes('webm')) return 'voice.webm'
  if (type.includes('ogg')) return 'voice.ogg'
  if (type.includes('mp4') || type.includes('m4a') || type.includes('aac')) return 'voice.m4a'
  if (type.includes('mpeg') || type.includes('mp3')) return 'voice.mp3'
  return 'voice.wav'
}
