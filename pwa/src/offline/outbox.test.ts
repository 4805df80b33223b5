import { IDBFactory } from 'fake-indexeddb'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import { openOutboxDb, storedFile, type OutboxDb, type OutboxItem } from './db'
import { backoffMs, Outbox, installTriggers, type Sender } from './outbox'
import { reportForm } from './send-report'

let db: OutboxDb
let now: number

async function item(id: string, text = '楼道堆物') {
  const photo = await storedFile(new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' }), 'p.jpg')
  return { id, kind: 'report' as const, owner: 7, fields: { description: text, lat: '31.2445', lng: '121.403', crs: 'wgs84' }, photos: [photo], voice: null }
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory()
  db = await openOutboxDb(`test-${Math.random()}`)
  now = 1_000_000
})

describe('outbox', () => {
  it('keeps a report with its photo bytes until it is sent, then removes it', async () => {
    const seen: OutboxItem[] = []
    const box = new Outbox(db, async (i) => (seen.push(i), { status: 201 }), () => now, undefined, () => 7)
    await box.add(await item('a'))
    const [stored] = await box.list()
    expect(stored.status).toBe('pending')
    expect(new Uint8Array(stored.photos[0].data)).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]))
    expect(await box.flush()).toBe(1)
    expect(seen.map((i) => i.id)).toEqual(['a'])
    expect(await box.list()).toEqual([])
  })

  it('counts a 200 (a resend the server already had) as sent', async () => {
    const box = new Outbox(db, async () => ({ status: 200 }), () => now, undefined, () => 7)
    await box.add(await item('a'))
    expect(await box.flush()).toBe(1)
    expect(await box.list()).toEqual([])
  })

  it('keeps an item offline and retries it after a backoff, not before', async () => {
    const send = vi.fn<Sender>().mockRejectedValueOnce(new ApiError(0, 'network_error', '网络不可用')).mockResolvedValue({ status: 201 })
    const box = new Outbox(db, send, () => now, undefined, () => 7)
    await box.add(await item('a'))
    expect(await box.flush()).toBe(0)
    const [waiting] = await box.list()
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, lastError: '网络不可用', nextAttemptAt: now + backoffMs(1) })
    expect(await box.flush()).toBe(0) // not due yet
    expect(send).toHaveBeenCalledTimes(1)
    now += backoffMs(1)
    expect(await box.flush()).toBe(1)
    expect(send).toHaveBeenCalledTimes(2)
  })

  it('marks a refused report failed with the API message, and sends it again only on a manual retry', async () => {
    const send = vi.fn<Sender>().mockRejectedValueOnce(new ApiError(413, 'file_too_large', '照片超过 10 MB')).mockResolvedValue({ status: 201 })
    const box = new Outbox(db, send, () => now, undefined, () => 7)
    await box.add(await item('a'))
    await box.flush()
    const [failed] = await box.list()
    expect(failed).toMatchObject({ status: 'failed', lastError: '照片超过 10 MB' })
    now += 60 * 60_000
    expect(await box.flush()).toBe(0)
    expect(send).toHaveBeenCalledTimes(1)
    expect(await box.retry('a')).toBe(1)
    expect(await box.list()).toEqual([])
  })

  it.each([408, 429, 500, 503])('retries a %i later instead of failing it', async (status) => {
    const box = new Outbox(db, async () => Promise.reject(new ApiError(status, 'x', '稍后再试')), () => now, undefined, () => 7)
    await box.add(await item('a'))
    await box.flush()
    expect((await box.list())[0].status).toBe('pending')
  })

  it('never sends one item from two tabs at once (IndexedDB lease without Web Locks)', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const sent: string[] = []
    const slow: Sender = async (i) => {
      inFlight += 1
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((r) => setTimeout(r, 20))
      sent.push(i.id)
      inFlight -= 1
      return { status: 201 }
    }
    const tabA = new Outbox(db, slow, () => now, undefined, () => 7)
    const tabB = new Outbox(db, slow, () => now, undefined, () => 7)
    await tabA.add(await item('a'))
    await tabA.add(await item('b'))
    await Promise.all([tabA.flush(), tabB.flush(), tabA.flush(), tabB.flush()])
    await Promise.all([tabA.flush(), tabB.flush()])
    expect(sent.sort()).toEqual(['a', 'b'])
    expect(maxInFlight).toBe(1)
  })

  it('lets a tab take over a lease its owner left behind', async () => {
    const tabA = new Outbox(db, async () => ({ status: 201 }), () => now, undefined, () => 7)
    const tabB = new Outbox(db, async () => ({ status: 201 }), () => now, undefined, () => 7)
    expect(await tabA.takeLease()).toBe(true)
    expect(await tabB.takeLease()).toBe(false)
    now += 61_000 // tab A was closed mid-send
    expect(await tabB.takeLease()).toBe(true)
  })

  it('sends items added while a round runs in the same flush', async () => {
    const sent: string[] = []
    let box: Outbox
    const send: Sender = async (i) => {
      if (i.id === 'a') await box.add(await item('b'))
      sent.push(i.id)
      return { status: 201 }
    }
    box = new Outbox(db, send, () => now, undefined, () => 7)
    await box.add(await item('a'))
    const first = box.flush()
    const second = box.flush({ force: true })
    await Promise.all([first, second])
    expect(sent).toEqual(['a', 'b'])
  })

  it('sends on the online event and when the app becomes visible', async () => {
    const send = vi.fn<Sender>().mockResolvedValue({ status: 201 })
    const box = new Outbox(db, send, () => now, undefined, () => 7)
    const uninstall = installTriggers(box, window, 60_000)
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(0))
    await box.add(await item('a'))
    window.dispatchEvent(new Event('online'))
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(1))
    await box.add(await item('b'))
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(2))
    uninstall()
  })

  it("sends only the logged-in user's items and keeps the others for their owner", async () => {
    let user: number | null = 8
    const sent: string[] = []
    const box = new Outbox(db, async (i) => (sent.push(i.id), { status: 201 }), () => now, undefined, () => user)
    await box.add(await item('mine-7'))
    await box.add({ ...(await item('mine-8')), owner: 8 })
    expect(await box.flush()).toBe(1)
    expect(sent).toEqual(['mine-8'])
    user = null // logged out: nothing goes
    expect(await box.flush()).toBe(0)
    user = 7
    expect(await box.flush()).toBe(1)
    expect(sent).toEqual(['mine-8', 'mine-7'])
  })

  it('builds the multipart body with the client_uuid, fields, photos and voice', async () => {
    const stored = { ...(await item('5f0c-uuid', '井盖缺失')), voice: await storedFile(new Blob([new Uint8Array([1, 2])], { type: 'audio/webm' }), 'voice.webm') }
    const form = reportForm({ ...stored, status: 'pending', attempts: 0, lastError: null, nextAttemptAt: 0, createdAt: 0 })
    expect(form.get('client_uuid')).toBe('5f0c-uuid')
    expect(form.get('description')).toBe('井盖缺失')
    expect(form.get('crs')).toBe('wgs84')
    expect((form.getAll('photos')[0] as File).type).toBe('image/jpeg')
    expect((form.get('voice') as File).name).toBe('voice.webm')
  })
})
