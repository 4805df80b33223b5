// The unfinished report of each user, saved as it is typed and picked.
import { fileOf, storedFile, type OutboxDb, type ReportDraftRecord } from './db'

export interface Draft {
  description: string
  address: string
  categoryNumber: number | null
  photos: File[]
  voice: Blob | null
}

export function isEmpty(draft: Draft): boolean {
  return !draft.description.trim() && !draft.address.trim() && !draft.photos.length && !draft.voice
}

export async function saveDraft(db: OutboxDb, owner: number, draft: Draft, now = Date.now()): Promise<void> {
  if (isEmpty(draft)) {
    await db.delete('drafts', owner)
    return
  }
  const record: ReportDraftRecord = {
    owner,
    description: draft.description,
    address: draft.address,
    categoryNumber: draft.categoryNumber,
    photos: await Promise.all(draft.photos.map((p, i) => storedFile(p, p.name || `photo-${i + 1}.jpg`))),
    voice: draft.voice ? await storedFile(draft.voice, 'voice') : null,
    savedAt: now,
  }
  await db.put('drafts', record)
}

export async function loadDraft(db: OutboxDb, owner: number): Promise<Draft | null> {
  const record = await db.get('drafts', owner)
  if (!record) return null
  return {
    description: record.description,
    address: record.address,
    categoryNumber: record.categoryNumber,
    photos: record.photos.map(fileOf),
    voice: record.voice ? new Blob([record.voice.data], { type: record.voice.type }) : null,
  }
}

export function clearDraft(db: OutboxDb, owner: number): Promise<void> {
  return db.delete('drafts', owner)
}
