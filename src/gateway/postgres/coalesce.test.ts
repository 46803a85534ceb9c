import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesce } from './coalesce.js';

test('back-to-back views are joined without a copy; others are copied in order', () => {
  const chunk = Buffer.from('abcdefgh');
  const joined = coalesce([chunk.subarray(0, 2), chunk.subarray(2, 5), chunk.subarray(5, 8)]);
  assert.equal(joined.toString(), 'abcdefgh');
  assert.equal(joined.buffer, chunk.buffer, 'a view of the same memory');
  const gap = coalesce([chunk.subarray(0, 2), chunk.subarray(3, 5)]);
  assert.equal(gap.toString(), 'abde');
  const mixed = coalesce([chunk.subarray(0, 2), Buffer.from('XY'), chunk.subarray(2, 3)]);
  assert.equal(mixed.toString(), 'abXYc');
  const one = Buffer.from('z');
  assert.equal(coalesce([one]), one);
});
