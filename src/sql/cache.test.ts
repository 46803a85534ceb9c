import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from './cache.js';

describe('LruCache', () => {
  it('returns what was stored and counts hits and misses', () => {
    const cache = new LruCache<number>({ maxEntries: 3, maxChars: 1000 });
    assert.equal(cache.get('a'), undefined);
    cache.set('a', 1);
    assert.equal(cache.get('a'), 1);
    assert.deepEqual([cache.hits, cache.misses], [1, 1]);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new LruCache<number>({ maxEntries: 3, maxChars: 1000 });
    for (const k of ['a', 'b', 'c']) cache.set(k, 1);
    cache.get('a'); // a is now the most recent; b is the oldest
    cache.set('d', 1);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined);
    for (const k of ['a', 'c', 'd']) assert.equal(cache.get(k), 1, k);
  });

  it('stays within maxChars and skips keys longer than it', () => {
    const cache = new LruCache<number>({ maxEntries: 100, maxChars: 10 });
    cache.set('x'.repeat(11), 1);
    assert.equal(cache.size, 0);
    cache.set('aaaa', 1);
    cache.set('bbbb', 2);
    cache.set('cccc', 3); // 12 characters: aaaa goes
    assert.equal(cache.size, 2);
    assert.equal(cache.get('aaaa'), undefined);
    assert.equal(cache.get('cccc'), 3);
  });

  it('replacing a key does not count its length twice', () => {
    const cache = new LruCache<number>({ maxEntries: 100, maxChars: 8 });
    cache.set('aaaa', 1);
    cache.set('aaaa', 2);
    cache.set('bbbb', 3);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('aaaa'), 2);
  });
});
