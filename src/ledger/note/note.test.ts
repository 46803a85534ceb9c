import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoteError } from './errors.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type Signer, type Verifier } from './keys.js';
import { MAX_SIGNATURES, openNote, signNote } from './note.js';

// Test vectors from golang.org/x/mod/sumdb/note: the package doc of note.go ("Example")
// and note_test.go (TestSign, TestOpen). Ed25519 is deterministic, so our signature of
// the same text with the same key must be byte-identical to Go's.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// The example at the top of c2sp.org/signed-note (§Note). Its public key is not
// published, so it can only be parsed, not verified. Its text has a blank line inside.
const POEM = 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n';
const QUASIMODO_SIG =
  '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';

const peter = parseVerifierKey(PETER_VKEY);
const enoch = parseVerifierKey(ENOCH_VKEY);

function assertNoteError(fn: () => unknown, code: NoteError['code'], message?: RegExp): NoteError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof NoteError, `expected NoteError(${code}), got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Go slices notes by byte offset; the em dash is 3 bytes in UTF-8, 1 unit in JS. */
function insertAtByte(s: string, offset: number, insert: string): string {
  const b = Buffer.from(s);
  return Buffer.concat([b.subarray(0, offset), Buffer.from(insert), b.subarray(offset)]).toString();
}

function newKey(name: string): { signer: Signer; verifier: Verifier } {
  const { signerKey, verifierKey } = generateSignerKey(name);
  return { signer: parseSignerKey(signerKey), verifier: parseVerifierKey(verifierKey) };
}

describe('signNote', () => {
  it('produces the Go reference signed note byte for byte (Go TestSign)', () => {
    assert.equal(signNote(TEXT, [parseSignerKey(PETER_SKEY)]), `${TEXT}\n${PETER_SIG}`);
  });

  it('writes one line per signer, in order', () => {
    const a = newKey('a.example/log');
    const b = newKey('b.example/witness');
    const note = signNote(TEXT, [a.signer, b.signer]);
    const lines = note.slice(TEXT.length + 1).split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^— a\.example\/log [A-Za-z0-9+/]{91}=$/);
    assert.match(lines[1]!, /^— b\.example\/witness [A-Za-z0-9+/]{91}=$/);
    assert.equal(lines[2], '');
  });

  it('signs texts with blank lines inside, a lone newline, and a trailing blank line', () => {
    const { signer, verifier } = newKey('x');
    for (const text of [POEM, '\n', 'a\n\n', '\n\n\nb\n', '\ufeffBOM kept\n', 'emoji 🪶 ok\n']) {
      const opened = openNote(signNote(text, [signer]), [verifier]);
      assert.equal(opened.text, text);
    }
  });

  it('refuses texts that could not be opened again (signed-note §Format)', () => {
    const { signer } = newKey('x');
    assertNoteError(() => signNote('abc', [signer]), 'malformed', /must end with a newline/); // Go TestSign "short text"
    assertNoteError(() => signNote('', [signer]), 'malformed', /empty/);
    assertNoteError(() => signNote('a\r\nb\n', [signer]), 'malformed', /note text line 1: .*U\+000D \(carriage return: CRLF line endings\?\); only newline is allowed/);
    assertNoteError(() => signNote('a\n\tb\n', [signer]), 'malformed', /line 2: .*U\+0009/);
    assertNoteError(() => signNote('a\ud800\n', [signer]), 'malformed', /surrogate/);
    assertNoteError(() => signNote(TEXT, []), 'malformed', /at least one signer/);
  });

  it('refuses broken signers', () => {
    const real = parseSignerKey(PETER_SKEY);
    // Go TestSign "bad signer": a name with a space.
    assertNoteError(() => signNote(TEXT, [{ ...real, name: 'bad name' }]), 'bad_key', /key name "bad name" contains a space/);
    assertNoteError(() => signNote(TEXT, [{ ...real, keyId: Buffer.alloc(3) }]), 'bad_key', /key id is 3 bytes/);
    const short = { ...real, sign: (m: Uint8Array) => real.sign(m).subarray(1) };
    assertNoteError(() => signNote(TEXT, [short]), 'bad_key', /63-byte signature/);
  });
});

describe('openNote: Go reference vectors (TestOpen)', () => {
  it('verifies one signature and keeps the unknown one unverified', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
    assert.equal(opened.text, TEXT);
    assert.deepEqual(opened.verifiedBy, [peter]);
    assert.deepEqual(
      opened.signatures.map((s) => [s.name, s.keyId.toString('hex'), s.verified]),
      [
        ['PeterNeumann', 'c74f20a3', true],
        ['EnochRoot', 'af0cfe78', false],
      ],
    );
    assert.equal(opened.signatures[0]!.signature.length, 64);
  });

  it('verifies both signatures of the doubly-signed doc example', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]);
    assert.deepEqual(opened.verifiedBy, [peter, enoch]);
    assert.ok(opened.signatures.every((s) => s.verified));
  });

  it('rejects a note with no signature by a known key', () => {
    assertNoteError(
      () => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []),
      'no_verified_signature',
      /signed by PeterNeumann\+c74f20a3, EnochRoot\+af0cfe78; known keys: none/,
    );
  });

  it('rejects more than 100 signatures, verified or not', () => {
    for (const verifiers of [[peter], []]) {
      assertNoteError(
        () => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, verifiers),
        'malformed',
        /101 signature lines; at most 100/,
      );
    }
    assert.equal(openNote(`${TEXT}\n${PETER_SIG.repeat(MAX_SIGNATURES)}`, [peter]).signatures.length, 100);
  });

  it('rejects an invalid signature by a known key', () => {
    const bad = `${TEXT}\n${insertAtByte(PETER_SIG, 60, 'ABCD')}`;
    assertNoteError(() => openNote(bad, [peter]), 'bad_signature', /line 4: signature by PeterNeumann\+c74f20a3 does not verify/);
  });

  it('accepts duplicated verified and unverified signatures', () => {
    const enochABCD = insertAtByte(ENOCH_SIG, 60, 'ABCD');
    const opened = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochABCD}`, [peter]);
    // Go drops the repeats from its result; we list every line but verify each one.
    assert.deepEqual(
      opened.signatures.map((s) => `${s.name}:${s.verified}`),
      ['PeterNeumann:true', 'PeterNeumann:true', 'EnochRoot:false', 'EnochRoot:false', 'EnochRoot:false'],
    );
    assert.deepEqual(opened.verifiedBy, [peter]);
  });

  it('rejects the Go malformed messages', () => {
    const bad: (string | Uint8Array)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\x01${TEXT}\n${PETER_SIG}`,
      Buffer.concat([Buffer.of(0xff), Buffer.from(`${TEXT}\n${PETER_SIG}`)]),
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    ];
    for (const note of bad) assertNoteError(() => openNote(note, [peter]), 'malformed');
  });

  it('uses a verifier only if name and key id both match (signed-note §Signatures)', () => {
    const never = (name: string, keyId: Buffer): Verifier => ({
      name,
      keyId,
      publicKey: enoch.publicKey,
      verify: () => assert.fail(`verifier ${name} must not be asked`),
    });
    const note = `${TEXT}\n${PETER_SIG}`;
    // Same id, other name; same name, other id: both are other keys, so ignored.
    for (const v of [never('PeterNeumann2', peter.keyId), never('PeterNeumann', Buffer.from('c74f20a4', 'hex'))]) {
      assertNoteError(() => openNote(note, [v]), 'no_verified_signature');
    }
  });

  it('refuses a verifier list holding two different keys under one name and id', () => {
    // Go reports an "ambiguous key" for any duplicate; we mind only if the keys differ.
    assert.deepEqual(openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, enoch]).verifiedBy, [enoch]);
    const impostor: Verifier = { ...enoch, publicKey: peter.publicKey, verify: () => true };
    assertNoteError(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, impostor]), 'bad_key', /two different keys named EnochRoot\+af0cfe78/);
  });
});

describe('openNote: the c2sp.org/signed-note example', () => {
  it('parses the spec note: well formed, by an unknown key', () => {
    assertNoteError(
      () => openNote(`${POEM}\n${QUASIMODO_SIG}`, [peter]),
      'no_verified_signature',
      /signed by quasimodo\.example\/salvatore\+367ba04b; known keys: PeterNeumann\+c74f20a3/,
    );
  });

  it('splits at the last blank line and keeps the spec signature as unverified', () => {
    const { signer, verifier } = newKey('gatehouse.test/co-signer');
    const note = signNote(POEM, [signer]) + QUASIMODO_SIG;
    const opened = openNote(note, [verifier]);
    assert.equal(opened.text, POEM);
    assert.deepEqual(
      opened.signatures.map((s) => [s.name, s.keyId.toString('hex'), s.verified]),
      [
        ['gatehouse.test/co-signer', signer.keyId.toString('hex'), true],
        ['quasimodo.example/salvatore', '367ba04b', false],
      ],
    );
  });
});

describe('openNote: round trips and several keys', () => {
  it('generate → sign → open', () => {
    const { signer, verifier } = newKey('gatehouse.test/log');
    const note = signNote('hello\n', [signer]);
    const opened = openNote(note, [verifier]);
    assert.equal(opened.text, 'hello\n');
    assert.deepEqual(opened.verifiedBy, [verifier]);
    assert.deepEqual(opened.signatures[0]!.keyId, signer.keyId);
    // Bytes in, same result.
    assert.equal(openNote(Buffer.from(note), [verifier]).text, 'hello\n');
  });

  it('opens with any subset of the signers known and reports the rest unverified', () => {
    const keys = [newKey('log.example'), newKey('witness1.example'), newKey('witness2.example')];
    const note = signNote('body\n', keys.map((k) => k.signer));
    const all = openNote(note, keys.map((k) => k.verifier));
    assert.deepEqual(all.verifiedBy, keys.map((k) => k.verifier));
    const one = openNote(note, [keys[1]!.verifier]);
    assert.deepEqual(one.verifiedBy, [keys[1]!.verifier]);
    assert.deepEqual(one.signatures.map((s) => s.verified), [false, true, false]);
  });

  it('keeps checkpoints of a rotated-out key verifiable with [old, new]', () => {
    const name = 'gatehouse.test/log';
    const oldKey = newKey(name);
    const newKey2 = newKey(name);
    assert.notDeepEqual(oldKey.signer.keyId, newKey2.signer.keyId);
    const byOld = signNote('size 10\n', [oldKey.signer]);
    const byNew = signNote('size 20\n', [newKey2.signer]);
    const both = [oldKey.verifier, newKey2.verifier];
    assert.deepEqual(openNote(byOld, both).verifiedBy, [oldKey.verifier]);
    assert.deepEqual(openNote(byNew, both).verifiedBy, [newKey2.verifier]);
    // Without the old verifier the old signature is by an unknown key (same name, other
    // id): ignored, not a bad signature.
    assertNoteError(() => openNote(byOld, [newKey2.verifier]), 'no_verified_signature');
    // A hand-over note signed by both opens for clients knowing either key.
    const handover = signNote('size 30\n', [oldKey.signer, newKey2.signer]);
    assert.deepEqual(openNote(handover, [newKey2.verifier]).signatures.map((s) => s.verified), [false, true]);
  });

  it('accepts at least 16 signatures (signed-note §Format)', () => {
    const keys = Array.from({ length: 16 }, (_, i) => newKey(`w${i}.example`));
    const note = signNote('many\n', keys.map((k) => k.signer));
    assert.equal(openNote(note, keys.map((k) => k.verifier)).verifiedBy.length, 16);
  });

  it('rejects a valid signature next to a bad one by another known key', () => {
    const a = newKey('a.example');
    const b = newKey('b.example');
    const lines = signNote(TEXT, [a.signer, b.signer]).split('\n');
    const bLine = lines.at(-2)!;
    const i = bLine.length - 20; // inside b's signature, away from the padding
    lines[lines.length - 2] = bLine.slice(0, i) + (bLine[i] === 'A' ? 'B' : 'A') + bLine.slice(i + 1);
    const error = assertNoteError(() => openNote(lines.join('\n'), [a.verifier, b.verifier]), 'bad_signature');
    assert.match(error.message, /signature by b\.example\+[0-9a-f]{8} does not verify/);
  });
});

describe('openNote: malformed notes explain themselves', () => {
  const note = `${TEXT}\n${PETER_SIG}`;
  const sigB64 = PETER_SIG.slice('— PeterNeumann '.length, -1);
  const cases: [string, string | Uint8Array, NoteError['code'], RegExp][] = [
    ['missing blank line', `${TEXT}${PETER_SIG}`, 'malformed', /no blank line separating its text from its signatures/],
    ['no signature lines', `${TEXT}\n`, 'malformed', /no signature lines after the blank line \(line 3\)/],
    ['missing final newline', note.slice(0, -1), 'malformed', /note line 4: last line does not end with a newline/],
    ['trailing blank line', `${note}\n`, 'malformed', /no signature lines/],
    ['hyphen instead of em dash', note.replace('— ', '- '), 'malformed', /line 4: expected a signature line starting with "— "/],
    ['stray text line', `${note}Unexpected line.\n`, 'malformed', /line 5: expected a signature line .*"Unexpected line\."/],
    ['no space before signature', note.replace('PeterNeumann ', 'PeterNeumann'), 'malformed', /line 4: signature line must be/],
    ['two spaces after em dash', note.replace('— ', '—  '), 'malformed', /line 4: extra space/],
    ['two spaces before signature', note.replace('PeterNeumann ', 'PeterNeumann  '), 'malformed', /line 4: extra space/],
    ['trailing space', note.replace('AM=\n', 'AM= \n'), 'malformed', /line 4: extra space/],
    ['plus in name', note.replace('PeterNeumann', 'Peter+Neumann'), 'malformed', /line 4: key name "Peter\+Neumann" contains "\+"/],
    ['bad base64', note.replace('x08go', 'x08g!'), 'malformed', /line 4: signature by PeterNeumann contains characters outside the standard base64 alphabet/],
    ['url-safe base64', note.replace('/', '_'), 'malformed', /base64 alphabet/],
    ['missing padding', note.replace('AM=\n', 'AM\n'), 'malformed', /not a multiple of 4/],
    ['non-canonical base64', note.replace('AM=\n', 'AN=\n'), 'malformed', /not canonical base64/],
    ['signature of only a key id', note.replace(sigB64, 'x08gow=='), 'malformed', /is 4 bytes; it needs a 4-byte key id and a signature/],
    ['truncated signature', note.replace(sigB64, sigB64.slice(0, 8)), 'bad_signature', /signature by PeterNeumann\+c74f20a3 does not verify/],
    ['wrong key id', note.replace('x08go', 'AAAAA'), 'no_verified_signature', /signed by PeterNeumann\+0000000[0-9a-f]; known keys: PeterNeumann\+c74f20a3/],
    ['CRLF line endings', note.replaceAll('\n', '\r\n'), 'malformed', /note line 1: contains control character U\+000D \(carriage return/],
    ['tab in text', `a\tb\n\n${PETER_SIG}`, 'malformed', /note line 1: contains control character U\+0009/],
    ['NUL in signature line', note.replace('AM=', 'A\0M='), 'malformed', /note line 4: contains control character U\+0000/],
    ['unpaired surrogate', `\ud800${note}`, 'malformed', /surrogate/],
    ['invalid UTF-8', Buffer.concat([Buffer.from(TEXT), Buffer.of(0xc3, 0x28), Buffer.from(`\n\n${PETER_SIG}`)]), 'malformed', /not valid UTF-8 \(bad byte 0xc3 at offset 99, line 3\)/],
    ['truncated UTF-8', Buffer.concat([Buffer.from(`${TEXT}\n`), Buffer.from('—').subarray(0, 2)]), 'malformed', /not valid UTF-8 \(truncated multi-byte sequence/],
  ];
  for (const [what, input, code, message] of cases) {
    it(what, () => {
      assertNoteError(() => openNote(input, [peter]), code, message);
    });
  }

  it('keeps a leading BOM as part of the signed text when given bytes', () => {
    const { signer, verifier } = newKey('x');
    const note = signNote('\ufeffhello\n', [signer]);
    assert.equal(openNote(Buffer.from(note), [verifier]).text, '\ufeffhello\n');
    // Dropping the BOM changes the signed bytes.
    assertNoteError(() => openNote(note.slice(1), [verifier]), 'bad_signature');
  });
});
