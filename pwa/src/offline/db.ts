// The IndexedDB outbox: reports (with their photo and voice bytes) waiting to be sent.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'

export interface StoredFile {
  name: string
  type: string
  // Bytes, not a Blob: some in-app browsers cannot keep Blobs in IndexedDB.
  data: ArrayBuffer
}

export type OutboxStatus = 'pending' | 'failed'

export interface OutboxItem {
  /** The report's client_uuid: the server's idempotency key. */
  id: string
  kind: 'report'
  /** Who filed it: only that user's session sends it (a shared phone may change hands). */
  owner: number | null
  fields: Record<string, string>
  photos: StoredFile[]
  voice: StoredFile | null
  status: OutboxStatus
  attempts: number
  lastError: string | null
  nextAttemptAt: number
  createdAt: number
}

export interface Lease {
  owner: string
  until: number
}

/** The report being written, kept so a closed app or a dead battery loses nothing. */
export interface ReportDraftRecord {
  owner: number
  description: string
  address: string
  categoryNumber: number | null
  photos: StoredFile[]
  voice: StoredFile | null
  savedAt: number
}

interface OutboxSchema extends DBSchema {
  outbox: { key: string; value: OutboxItem; indexes: { createdAt: number } }
  meta: { key: string; value: Lease }
  drafts: { key: number; value: ReportDraftRecord }
}

export type OutboxDb = IDBPDatabase<OutboxSchema>

export function openOutboxDb(name = 'gridline-outbox'): Promise<OutboxDb> {
  return openDB<OutboxSchema>(name, 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const store = db.createObjectStore('outbox', { keyPath: 'id' })
        store.createIndex('createdAt', 'createdAt')
        db.createObjectStore('meta')
      }
      if (oldVersion < 2) db.createObjectStore('drafts', { keyPath: 'owner' })
    },
  })
}

export async function storedFile(file: Blob, name: string): Promise<StoredFile> {
  return { name, type: file.type || 'application/octet-stream', data: await file.arrayBuffer() }
}

export function fileOf(stored: StoredFile): File {
  return new File([stored.data], stored.name, { type: stored.type })
}
