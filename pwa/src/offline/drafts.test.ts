import { IDBFactory } from 'fake-indexeddb'
import { beforeEach, describe, expect, it } from 'vitest'
import { openOutboxDb, type OutboxDb } from './db'
import { clearDraft, loadDraft, saveDraft } from './drafts'

let db: OutboxDb

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory()
  db = await openOutboxDb('drafts-test')
})

describe('report drafts', () => {
  it('keeps the text, photos and voice of an unfinished report per user', async () => {
    const photo = new File([new Uint8Array([0xff, 0xd8, 9])], 'scene.jpg', { type: 'image/jpeg' })
    await saveDraft(db, 7, { description: '井盖缺失', address: '铜川路1号', categoryNumber: 12, photos: [photo], voice: new Blob([new Uint8Array([1])], { type: 'audio/webm' }) })
    const draft = await loadDraft(db, 7)
    expect(draft?.description).toBe('井盖缺失')
    expect(draft?.categoryNumber).toBe(12)
    expect(draft?.photos[0].name).toBe('scene.jpg')
    expect(new Uint8Array(await draft!.photos[0].arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 9]))
    expect(draft?.voice?.type).toBe('audio/webm')
    expect(await loadDraft(db, 8)).toBeNull()
  })

  it('forgets a draft once it is emptied or sent', async () => {
    await saveDraft(db, 7, { description: '井盖缺失', address: '', categoryNumber: null, photos: [], voice: null })
    await saveDraft(db, 7, { description: ' ', address: '', categoryNumber: null, photos: [], voice: null })
    expect(await loadDraft(db, 7)).toBeNull()
    await saveDraft(db, 7, { description: '路灯不亮', address: '', categoryNumber: null, photos: [], voice: null })
    await clearDraft(db, 7)
    expect(await loadDraft(db, 7)).toBeNull()
  })

  it('opens a database made by the first version and adds the drafts to it', async () => {
    const { openDB } = await import('idb')
    const old = await openDB('upgrade-test', 1, {
      upgrade(d) {
        d.createObjectStore('outbox', { keyPath: 'id' }).createIndex('createdAt', 'createdAt')
        d.createObjectStore('meta')
      },
    })
    await old.put('outbox', { id: 'kept', createdAt: 1 })
    old.close()
    const upgraded = await openOutboxDb('upgrade-test')
    expect((await upgraded.get('outbox', 'kept'))?.id).toBe('kept')
    await saveDraft(upgraded, 1, { description: 'x', address: '', categoryNumber: null, photos: [], voice: null })
    expect((await loadDraft(upgraded, 1))?.description).toBe('x')
  })
})
