import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';

const cheap = { log2N: 10, r: 8, p: 1 };

describe('password hashes (scrypt, PHC strings)', () => {
  it('verifies the right password only, with the cost carried in the hash', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await verifyPassword('correct horse battery', hash), true);
    assert.equal(await verifyPassword('correct horse batterY', hash), false);
    assert.notEqual(await hashPassword('correct horse battery', cheap), hash, 'salted');
  });

  it('uses the OWASP minimum cost by default', async () => {
    assert.match(await hashPassword('a long enough password'), /^\$scrypt\$ln=17,r=8,p=1\$/);
  });

  it('fails closed on a malformed or absurd stored hash', async () => {
    for (const stored of ['', 'plain', '$scrypt$ln=30,r=8,p=1$AAAA$AAAA', '$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA']) {
      assert.equal(await verifyPassword('x', stored), false, stored);
    }
  });

  it('asks for length, not composition (NIST SP 800-63B)', () => {
    assert.match(passwordProblem('short')!, /at least 12/);
    assert.equal(passwordProblem('just twelve!'), null);
    assert.match(passwordProblem('x'.repeat(1025))!, /at most 1024/);
  });
});
