import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScramClient } from './scram.js';
import { UpstreamError } from './errors.js';
import { md5PasswordResponse } from './auth.js';

// RFC 7677 §3: the SCRAM-SHA-256 exchange for user "user", password "pencil".
const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const vectorClient = (password = 'pencil') => new ScramClient(password, { nonce: clientNonce, user: 'user' });

async function rejectsWith(fn: () => unknown, pattern: RegExp): Promise<void> {
  await assert.rejects(async () => fn(), (e: unknown) => e instanceof UpstreamError && pattern.test(e.message));
}

describe('SCRAM-SHA-256 client', () => {
  it('reproduces the RFC 7677 exchange and accepts its server signature', async () => {
    const c = vectorClient();
    assert.equal(c.clientFirst().toString(), `n,,n=user,r=${clientNonce}`);
    assert.equal((await c.clientFinal(Buffer.from(serverFirst))).toString(), clientFinal);
    assert.equal(c.done, false);
    c.verifyServerFinal(Buffer.from(serverFinal));
    assert.equal(c.done, true);
  });

  it('refuses a wrong server signature, a server error, and a final message out of turn', async () => {
    const c = vectorClient();
    await rejectsWith(() => c.verifyServerFinal(Buffer.from(serverFinal)), /before the client sent its proof/);
    await c.clientFinal(Buffer.from(serverFirst));
    const wrong = Buffer.from(serverFinal);
    wrong[5] = wrong[5] === 0x41 ? 0x42 : 0x41;
    await rejectsWith(() => c.verifyServerFinal(wrong), /wrong SCRAM server signature/);
    await rejectsWith(() => c.verifyServerFinal(Buffer.from('v=AAAA')), /wrong SCRAM server signature/);
    await rejectsWith(() => c.verifyServerFinal(Buffer.from('e=invalid-proof')), /error "invalid-proof"/);
    await rejectsWith(() => c.verifyServerFinal(Buffer.from('x=1')), /attribute v missing/);
    assert.equal(c.done, false);
    // The signature for another password is wrong too.
    const other = vectorClient('pencil2');
    await other.clientFinal(Buffer.from(serverFirst));
    await rejectsWith(() => other.verifyServerFinal(Buffer.from(serverFinal)), /wrong SCRAM server signature/);
  });

  it('refuses server-first messages that break RFC 5802 §5.1', async () => {
    const cases: [string, RegExp][] = [
      ['r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /does not extend/],
      [`r=${clientNonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, /does not extend/],
      [`r=${clientNonce}x,s=not base64!,i=4096`, /salt is not base64/],
      [`r=${clientNonce}x,s=,i=4096`, /salt is empty/],
      [`r=${clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`, /iteration count 0/],
      [`r=${clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1`, /iteration count/],
      [`r=${clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999`, /iteration count/],
      [`r=${clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==`, /attribute i missing/],
      [`m=ext,r=${clientNonce}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`, /extension/],
      ['', /attribute r missing/],
    ];
    for (const [message, pattern] of cases) await rejectsWith(() => vectorClient().clientFinal(Buffer.from(message)), pattern);
  });

  it('uses a fresh random nonce and an empty user name by default, escaping = and , in names', () => {
    const a = new ScramClient('x').clientFirst().toString();
    const b = new ScramClient('x').clientFirst().toString();
    assert.match(a, /^n,,n=,r=[A-Za-z0-9+/]{24}$/);
    assert.notEqual(a, b);
    assert.equal(new ScramClient('x', { nonce: 'n', user: 'a=b,c' }).clientFirst().toString(), 'n,,n=a=3Db=2Cc,r=n');
  });
});

describe('MD5 password response', () => {
  it('is "md5" + md5hex(md5hex(password + user) + salt)', () => {
    // Computed apart with md5sum: md5("secretalice") = 4a0a68b4…, then md5("4a0a68b4…" ‖ 01 02 03 04).
    assert.equal(md5PasswordResponse('alice', 'secret', Buffer.from([1, 2, 3, 4])), 'md598a0412b9c31436fc53776e863350083');
    assert.notEqual(md5PasswordResponse('alice', 'secret', Buffer.from([1, 2, 3, 5])), 'md598a0412b9c31436fc53776e863350083');
  });
});
