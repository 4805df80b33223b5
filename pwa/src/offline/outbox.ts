// Sends queued reports exactly once: one sender at a time across tabs (Web Locks, or a lease
// in IndexedDB where they are missing), retried with backoff; the server's client_uuid
// idempotency turns a resend after a lost answer into a 200 with the first report.
import { ApiError } from '@/api/http'
import type { Lease, OutboxDb, OutboxItem } from './db'

export interface SendResult {
  status: number
}
export type Sender = (item: OutboxItem, onProgress: (fraction: number) => void) => Promise<SendResult>

export interface OutboxEvent {
  type: 'changed' | 'sent' | 'progress'
  id?: string
  fraction?: number
}

const LOCK_NAME = 'gridline-outbox-sender'
const LEASE_MS = 60_000
const BASE_DELAY_MS = 5_000
const MAX_DELAY_MS = 5 * 60_000

export function backoffMs(attempts: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1))
}

/** A refusal the user must see (bad input, too large, forbidden); anything else is retried. */
export function isRefusal(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && ![401, 408, 429].includes(error.status)
}

export class Outbox {
  private listeners = new Set<(event: OutboxEvent) => void>()
  private flushing: Promise<number> | null = null
  private again = false
  readonly owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`

  constructor(
    private readonly db: OutboxDb,
    private readonly send: Sender,
    private readonly now: () => number = Date.now,
    private readonly locks: LockManager | undefined = globalThis.navigator?.locks,
    /** The logged-in user; null sends nothing (logged out). */
    private readonly currentOwner: () => number | null = () => null,
  ) {}

  subscribe(listener: (event: OutboxEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: OutboxEvent): void {
    this.listeners.forEach((listener) => listener(event))
  }

  async add(item: Omit<OutboxItem, 'status' | 'attempts' | 'lastError' | 'nextAttemptAt' | 'createdAt'>): Promise<OutboxItem> {
    const full: OutboxItem = { ...item, status: 'pending', attempts: 0, lastError: null, nextAttemptAt: 0, createdAt: this.now() }
    await this.db.put('outbox', full)
    this.emit({ type: 'changed', id: item.id })
    return full
  }

  async list(): Promise<OutboxItem[]> {
    return this.db.getAllFromIndex('outbox', 'createdAt')
  }

  async remove(id: string): Promise<void> {
    await this.db.delete('outbox', id)
    this.emit({ type: 'changed', id })
  }

  /** A manual retry: a failed item goes back to pending and is due now. */
  async retry(id: string): Promise<number> {
    const item = await this.db.get('outbox', id)
    if (item) {
      await this.db.put('outbox', { ...item, status: 'pending', nextAttemptAt: 0 })
      this.emit({ type: 'changed', id })
    }
    return this.flush({ force: true })
  }

  /** Sends every due item; answers how many were sent. Safe to call from any trigger. */
  flush(options: { force?: boolean } = {}): Promise<number> {
    if (this.flushing) {
      // Items added while a round runs get one more round right after it.
      this.again = true
      return this.flushing
    }
    this.flushing = (async () => {
      let sent = 0
      do {
        this.again = false
        sent += await this.withLock(() => this.sendDue(options.force ?? false))
      } while (this.again)
      return sent
    })().finally(() => {
      this.flushing = null
    })
    return this.flushing
  }

  private async withLock(work: () => Promise<number>): Promise<number> {
    if (this.locks) {
      // ifAvailable: a tab that finds another tab sending skips this round.
      return this.locks.request(LOCK_NAME, { ifAvailable: true }, async (lock) => (lock ? work() : 0))
    }
    if (!(await this.takeLease())) return 0
    try {
      return await work()
    } finally {
      await this.releaseLease()
    }
  }

  async takeLease(): Promise<boolean> {
    // One readwrite transaction: IndexedDB runs them one after another, so check-and-set is atomic.
    const tx = this.db.transaction('meta', 'readwrite')
    const lease = (await tx.store.get('lease')) as Lease | undefined
    const now = this.now()
    if (lease && lease.owner !== this.owner && lease.until > now) {
      await tx.done
      return false
    }
    await tx.store.put({ owner: this.owner, until: now + LEASE_MS }, 'lease')
    await tx.done
    return true
  }

  private async releaseLease(): Promise<void> {
    const tx = this.db.transaction('meta', 'readwrite')
    const lease = (await tx.store.get('lease')) as Lease | undefined
    if (lease?.owner === this.owner) await tx.store.delete('lease')
    await tx.done
  }

  private async sendDue(force: boolean): Promise<number> {
    let sent = 0
    for (const item of await this.list()) {
      if (item.status !== 'pending' || (!force && item.nextAttemptAt > this.now())) continue
      if (item.owner !== this.currentOwner()) continue
      // Another tab may have sent it since we listed.
      const current = await this.db.get('outbox', item.id)
      if (!current || current.status !== 'pending') continue
      try {
        await this.send(current, (fraction) => this.emit({ type: 'progress', id: item.id, fraction }))
        await this.db.delete('outbox', item.id)
        sent += 1
        this.emit({ type: 'sent', id: item.id })
      } catch (error) {
        const attempts = current.attempts + 1
        const refused = isRefusal(error)
        const message = error instanceof Error ? error.message : String(error)
        await this.db.put('outbox', {
          ...current,
          attempts,
          status: refused ? 'failed' : 'pending',
          lastError: message,
          nextAttemptAt: refused ? 0 : this.now() + backoffMs(attempts),
        })
        this.emit({ type: 'changed', id: item.id })
        // Offline: the next items would fail the same way.
        if (error instanceof ApiError && error.status === 0) break
      }
    }
    return sent
  }

  /** When the next pending item is due (ms since epoch), or null. */
  async nextDue(): Promise<number | null> {
    const due = (await this.list()).filter((i) => i.status === 'pending').map((i) => i.nextAttemptAt)
    return due.length ? Math.min(...due) : null
  }
}

/** Retry triggers that work with or without a service worker (WeChat's in-app browser). */
export function installTriggers(outbox: Outbox, target: Window = window, pollMs = 15_000): () => void {
  const flush = () => {
    if (target.navigator.onLine !== false) void outbox.flush()
  }
  const onVisible = () => {
    if (target.document.visibilityState === 'visible') flush()
  }
  target.addEventListener('online', flush)
  target.document.addEventListener('visibilitychange', onVisible)
  const timer = target.setInterval(async () => {
    const due = await outbox.nextDue()
    if (due !== null && due <= Date.now()) flush()
  }, pollMs)
  flush() // at start: items left from a closed app
  return () => {
    target.removeEventListener('online', flush)
    target.document.removeEventListener('visibilitychange', onVisible)
    target.clearInterval(timer)
  }
}
