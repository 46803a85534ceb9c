import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { gatehouse } from '../support/cli.js';

describe('gatehouse ledger tour', () => {
  it('appends, proves, redacts, exports, verifies and catches the tamper', () => {
    const result = gatehouse(['ledger', 'tour', '--events', '60'], '', { GATEHOUSE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never' });
    const home = /working in (\S+)/.exec(result.stdout)?.[1];
    if (home) rmSync(home, { recursive: true, force: true });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /ignoring GATEHOUSE_DATABASE_URL/, 'made-up events never go to a real store');
    const out = result.stdout;
    assert.match(out, /1\. Append 60 audit events/);
    assert.match(out, /3\. Inclusion proof of entry 59: \d+ hashes; checked against the signed root: valid/);
    assert.match(out, /4\. Redact the statement text of entry 7 \(an erasure request\): recorded as entry 60;/);
    // The store and the bundle verify; the tampered copy does not, and the report names entry 59.
    assert.equal(out.match(/^ {4}OK: /gm)?.length, 2, out);
    assert.match(out, /7\. Someone with database access edits entry 59[\s\S]*FAILED[\s\S]*entry 59/);
  });

  it('needs at least 10 events', () => {
    const result = gatehouse(['ledger', 'tour', '--events', '5']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--events must be at least 10/);
  });
});
