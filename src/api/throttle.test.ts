import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FailureThrottle } from './throttle.js';

describe('authentication failure throttle', () => {
  it('blocks an address after `limit` failures until its window ends, others unaffected', () => {
    let now = 0;
    const throttle = new FailureThrottle(3, 1000, () => now);
    for (let i = 0; i < 2; i++) throttle.fail('a');
    assert.equal(throttle.blockedFor('a'), 0);
    throttle.fail('a');
    assert.equal(throttle.blockedFor('a'), 1000);
    assert.equal(throttle.blockedFor('b'), 0);
    now = 999;
    assert.equal(throttle.blockedFor('a'), 1);
    now = 1000;
    assert.equal(throttle.blockedFor('a'), 0, 'a new window');
    throttle.fail('a');
    assert.equal(throttle.blockedFor('a'), 0);
  });
});
