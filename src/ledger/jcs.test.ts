import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import canonicalize from 'canonicalize';
import { jcs, NotJsonError } from './jcs.js';

describe('jcs (RFC 8785)', () => {
  it('encodes the RFC 8785 §3.2.2 example exactly', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    assert.equal(
      jcs(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // The RFC's expected order: \r, 1, U+0080, ö, €, 😀 (a surrogate pair, D83D…), דּ (FB33).
    assert.equal(
      jcs(input),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('refuses what has no canonical form', () => {
    for (const bad of [NaN, Infinity, -Infinity, 'a\ud800b', { ['\udc00']: 1 }, [() => 1], 10n, new Date(0), Symbol('x')]) {
      assert.throws(() => jcs(bad), NotJsonError, String(bad?.toString?.() ?? bad));
    }
  });

  it('agrees byte for byte with the canonicalize package on 5,000 random JSON values', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    const chars = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', 'é', '€', '\u2028', '😀', '/', '<'];
    const str = () => Array.from({ length: Math.floor(random() * 8) }, () => pick(chars)).join('');
    const num = () =>
      pick([0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789.123, Number.MAX_SAFE_INTEGER, 5e-324, 1.7976931348623157e308, random() * 1e6 - 5e5]);
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 6);
      switch (kind) {
        case 0: return str();
        case 1: return num();
        case 2: return pick([true, false]);
        case 3: return null;
        case 4: return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [str(), value(depth + 1)]));
      }
    };
    for (let i = 0; i < 5000; i++) {
      const v = value(0);
      assert.equal(jcs(v), canonicalize(v));
    }
  });
});

describe('jcs on values already in canonical order (the JSON.stringify path)', () => {
  it('writes them exactly as the general encoder does, special strings and numbers included', () => {
    const sorted = { a: [1, -0, 1e21, 5e-324, 'é\u2028😀', '\u0000"\\'], b: { c: null, d: true, e: [undefined, {}] }, f: undefined, z: 'x' };
    assert.equal(jcs(sorted), canonicalize(sorted));
    assert.equal(jcs(sorted), JSON.stringify(sorted));
  });

  it('leaves to the general encoder what JSON.stringify would write otherwise', () => {
    // Integer-like keys: Object.keys lists "9" before "10", the code-unit order is "10" first.
    assert.equal(jcs({ 9: 'a', 10: 'b' }), '{"10":"b","9":"a"}');
    assert.equal(jcs({ a: { toJSON: 1 } }), '{"a":{"toJSON":1}}');
    for (const bad of [{ a: NaN }, { a: [Infinity] }, { a: 'x\ud800' }, { ['\udc00']: 1, z: 0 }, { a: () => 1 }, { a: { toJSON: () => 'hidden' } }, { a: new Date(0) }, { a: 1n }]) {
      assert.throws(() => jcs(bad), NotJsonError);
    }
  });
});

describe('jcs on values with members out of order (the sorted-copy path)', () => {
  it('writes them exactly as the general encoder does', () => {
    const values = [
      { b: 1, a: { d: [3, { z: 1, y: undefined, x: 'é' }, undefined], c: -0 } },
      { sorted: { inner: { z: 0, a: 1 } }, also: [1e21, 5e-324, '\u2028😀"\\'] },
      { z: null, 'é': true, a: false, A: '', '\u0000': 'nul' },
      { __proto_: 1, _: 2, $: 3 },
    ];
    for (const v of values) assert.equal(jcs(v), canonicalize(v), JSON.stringify(v));
  });

  it('leaves to the general encoder what a copy would not keep in order or could not hold', () => {
    // Array-index keys anywhere in an unsorted value: JSON.stringify would list them first.
    assert.equal(jcs({ b: 1, a: { 9: 'a', 10: 'b' } }), '{"a":{"10":"b","9":"a"},"b":1}');
    assert.equal(jcs({ z: 1, 0: 'zero', '01': 'not an index' }), '{"0":"zero","01":"not an index","z":1}');
    const proto = JSON.parse('{"z": 1, "__proto__": {"x": 1}}');
    assert.equal(jcs(proto), '{"__proto__":{"x":1},"z":1}');
    for (const bad of [{ b: NaN, a: 1 }, { b: 1, a: ['x\ud800'] }, { b: 1, a: { toJSON: () => 'hidden' } }, { b: 1, a: new Date(0) }]) {
      assert.throws(() => jcs(bad), NotJsonError);
    }
  });
});
