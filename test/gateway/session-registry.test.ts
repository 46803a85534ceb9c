import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionRegistry } from '../../src/gateway/sessions.js';
import { TestSession } from '../support/sessions.js';

describe('session registry', () => {
  it('tells its listener of each session added and removed, not of removing one it does not hold', () => {
    let changes = 0;
    const registry = new SessionRegistry({ onChange: () => changes++ });
    const alice = { id: 'usr_1', name: 'alice', kind: 'human' as const };
    const a = new TestSession(registry, alice, 'crm', new Date('2026-06-01T08:00:00Z'));
    new TestSession(registry, alice, 'crm', new Date('2026-06-01T08:01:00Z'));
    assert.equal(changes, 2);
    registry.remove(a.id);
    registry.remove(a.id);
    registry.remove('ses_unknown');
    assert.equal(changes, 3);
    assert.equal(registry.size, 1);
  });
});
