import { describe, expect, it } from 'vitest'
import { fallbackNextSteps } from './fallbacks'

const steps = (status: string, role: string, events: { kind: string; payload: Record<string, unknown> }[] = []) =>
  fallbackNextSteps({ status, events }, role).map((s) => s.step)

describe('fallback next steps (until the API sends next_steps)', () => {
  it('offers the handler accept on a dispatched order, and the work steps after', () => {
    expect(steps('dispatched', 'handler')).toEqual(['accept', 'returns'])
    expect(steps('in_progress', 'handler', [{ kind: 'first_contact', payload: { level: 'department' } }])).toEqual(['check-in', 'evidence', 'extensions', 'closure'])
  })

  it('lets each level record its first contact once', () => {
    expect(steps('dispatched', 'dispatcher')).not.toContain('first-contact')
    expect(steps('accepted', 'dispatcher')).toContain('first-contact')
    expect(steps('accepted', 'dispatcher', [{ kind: 'first_contact', payload: { level: 'command_center' } }])).not.toContain('first-contact')
    expect(steps('accepted', 'handler', [{ kind: 'first_contact', payload: { level: 'command_center' } }])).toContain('first-contact')
  })

  it('gives the command center dispatch, verification, callback and archive at their statuses', () => {
    expect(steps('reported', 'dispatcher')).toEqual(['dispatch', 'merge', 'reject'])
    expect(steps('submitted', 'dispatcher')).toContain('verification')
    expect(steps('verified', 'dispatcher')).toContain('callback')
    expect(steps('closed', 'dispatcher')).toEqual(['archive'])
    expect(steps('submitted', 'member')).toEqual([])
  })
})
