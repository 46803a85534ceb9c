import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkScramProof, normalizeSecret, scramVerifier } from './scram.js';

// RFC 7677 §3: the SCRAM-SHA-256 exchange for user "user", password "pencil".
const clientFirstBare = 'n=user,r=rOprNGfwEbeRWgbNEkqO';
const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const clientFinalWithoutProof = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
const serverSignature = '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';
const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;

describe('SCRAM-SHA-256 verifiers', () => {
  const verifier = scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);

  it('checks the RFC 7677 client proof and yields its server signature', () => {
    assert.equal(checkScramProof(verifier, authMessage, proof)?.toString('base64'), serverSignature);
  });

  it('refuses a proof made with another password, a flipped bit, or a wrong length', () => {
    const other = scramVerifier('pencil2', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    assert.equal(checkScramProof(other, authMessage, proof), null);
    const flipped = Buffer.from(proof);
    flipped[0]! ^= 1;
    assert.equal(checkScramProof(verifier, authMessage, flipped), null);
    assert.equal(checkScramProof(verifier, authMessage, proof.subarray(1)), null);
    assert.equal(checkScramProof(verifier, `${authMessage}x`, proof), null);
  });

  it('normalizes with SASLprep, and keeps strings SASLprep refuses as they are', () => {
    assert.equal(normalizeSecret('I\u00ADX'), 'IX'); // RFC 4013 §3 example: soft hyphen mapped to nothing
    assert.equal(normalizeSecret('\u00AA'), 'a'); // NFKC
    assert.equal(normalizeSecret('a\u0007b'), 'a\u0007b'); // prohibited control character: used raw, as PostgreSQL does
  });
});
