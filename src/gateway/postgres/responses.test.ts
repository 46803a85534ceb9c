import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Outcome } from '../audit.js';
import { errorResponse, FrameReader } from './codec/index.js';
import { ResponseTracker, type Recorded } from './responses.js';

/** The frame of one encoded backend message, as the session hands it to the tracker. */
function frameOf(bytes: Buffer) {
  const reader = new FrameReader();
  reader.push(bytes);
  return reader.next()!;
}

const recorded = (): Recorded => ({ entry: Promise.resolve(0), started: performance.now(), tags: [] });

describe('ResponseTracker.upstreamGone: statements whose answer never comes', () => {
  it('a statement the server answered with an error before closing keeps that error (57P01 when terminated)', () => {
    const outcomes: Outcome[] = [];
    const tracker = new ResponseTracker((_, outcome) => outcomes.push(outcome));
    tracker.expect({ kind: 'query', rec: recorded() });
    tracker.onMessage(frameOf(errorResponse({ severity: 'FATAL', code: '57P01', message: 'terminating connection due to administrator command' })));
    assert.equal(outcomes.length, 0, 'no outcome yet: a simple query ends at ReadyForQuery');
    tracker.upstreamGone('the upstream connection closed before the statement was answered');
    assert.equal(tracker.outstanding, 0);
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.sqlstate, o.error]),
      [['error', '57P01', 'terminating connection due to administrator command']],
    );
  });

  it('a pipelined batch with no answer: every statement an error (08006), every pending Parse and Bind refused', () => {
    const outcomes: Outcome[] = [];
    const settled: boolean[] = [];
    const tracker = new ResponseTracker((_, outcome) => outcomes.push(outcome));
    tracker.expect({ kind: 'parse', settle: (ok) => settled.push(ok) });
    tracker.expect({ kind: 'bind', settle: (ok) => settled.push(ok) });
    tracker.expect({ kind: 'execute', rec: recorded() });
    tracker.expect({ kind: 'execute', rec: recorded() });
    tracker.expect({ kind: 'sync' });
    tracker.upstreamGone('gone');
    assert.deepEqual(settled, [false, false]);
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.sqlstate, o.error]),
      [
        ['error', '08006', 'gone'],
        ['error', '08006', 'gone'],
      ],
    );
    assert.equal(tracker.outstanding, 0);
  });
});
