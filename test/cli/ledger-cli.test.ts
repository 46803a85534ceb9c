import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle/index.js';
import { openCheckpoint, parseVerifierKey } from '../../src/ledger/note/index.js';
import { gatehouse, jsonLines } from '../support/cli.js';
import { event } from '../support/ledger.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';

const b = (s: string) => Buffer.from(s, 'base64');

for (const kind of STORE_KINDS) {
  describe(`gatehouse ledger CLI on ${kind}`, () => {
    let test: TestStore;
    let witness: string;
    const run = (args: string[], input = '') => gatehouse([...args, ...test.args], input);

    before(async () => {
      test = await makeTestStore(kind);
      witness = join(test.dataDir, 'witness');
    });
    after(async () => test.cleanup());

    it('init creates the store and a private signing key, and is safe to repeat', () => {
      const first = run(['init', '--origin', 'example.com/audit', '--no-admin']);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /ledger origin: example\.com\/audit/);
      assert.match(first.stdout, /verifier key: example\.com\/audit\+[0-9a-f]{8}\+/);
      assert.equal(statSync(join(test.dataDir, 'ledger.key')).mode & 0o777, 0o600);
      const again = run(['init', '--no-admin']);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /\(existing\)/);
      assert.equal(run(['init', '--origin', 'other']).status, 2);
    });

    it('append prints one index per line and signs a checkpoint to the witness folder', () => {
      const events = Array.from({ length: 20 }, (_, i) => event(i, i % 4 === 0 ? { payload: { sql: `SELECT ${i}` } } : {}));
      const result = run(['ledger', 'append', '--witness-dir', witness], jsonLines(events));
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, Array.from({ length: 20 }, (_, i) => `${i}\n`).join(''));
      assert.deepEqual(readdirSync(witness), ['20']);
    });

    it('append rejects malformed lines by number and writes nothing of the batch', () => {
      const input = [
        JSON.stringify(event(100)),
        '{"not json',
        JSON.stringify(event(101)),
        JSON.stringify({ action: 'db.query' }),
        JSON.stringify({ ...event(102), time: 'yesterday' }),
        JSON.stringify({ ...event(103), extra: 1 }),
      ].join('\n');
      const result = run(['ledger', 'append'], input);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /4 malformed event\(s\); nothing was appended/);
      assert.match(result.stderr, /line 2: not JSON/);
      assert.match(result.stderr, /line 4: actor/);
      assert.match(result.stderr, /line 5: time: must be RFC 3339/);
      assert.match(result.stderr, /line 6: .*extra/);
      assert.match(run(['ledger', 'verify']).stdout, /entries: 20\n/);
    });

    it('append refuses an oversized event with the documented limit', () => {
      const big = JSON.stringify(event(1, { target: { blob: 'x'.repeat(1024 * 1024) } }));
      const result = run(['ledger', 'append', '--inline-payloads'], big);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /over the limit of 1048576/);
    });

    it('proof and consistency print RFC 9162 proofs that verify against the signed checkpoint', () => {
      const vkey = parseVerifierKey(run(['init', '--no-admin']).stdout.match(/verifier key: (\S+)/)![1]!);
      const proof = JSON.parse(run(['ledger', 'proof', '--index', '7']).stdout);
      assert.deepEqual(Object.keys(proof).sort(), ['checkpoint', 'hashes', 'index', 'leaf_hash', 'size']);
      const { checkpoint } = openCheckpoint(proof.checkpoint, [vkey]);
      assert.equal(checkpoint.size, 20);
      assert.ok(verifyInclusion(7, 20, b(proof.leaf_hash), proof.hashes.map(b), checkpoint.rootHash));

      const append = run(['ledger', 'append', '--witness-dir', witness], jsonLines([event(200), event(201)]));
      assert.equal(append.status, 0, append.stderr);
      const consistency = JSON.parse(run(['ledger', 'consistency', '--from', '20', '--to', '22']).stdout);
      const from = openCheckpoint(consistency.checkpoint_from, [vkey]).checkpoint;
      const to = openCheckpoint(consistency.checkpoint_to, [vkey]).checkpoint;
      assert.ok(verifyConsistency(20, 22, consistency.hashes.map(b), from.rootHash, to.rootHash));

      const bad = run(['ledger', 'proof', '--index', '99']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /index must be between 0 and 21/);
      assert.match(run(['ledger', 'proof', '--index', 'x']).stderr, /--index must be a non-negative integer/);
    });

    it('checkpoint prints the latest signed note', () => {
      const result = run(['ledger', 'checkpoint']);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^example\.com\/audit\n22\n[A-Za-z0-9+/]{43}=\n\n— example\.com\/audit /);
    });

    it('redact drops a payload, records it, and verify still passes', () => {
      const result = run(['ledger', 'redact', '--index', '4', '--reason', 'erasure #7', '--witness-dir', witness]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /redacted the payload of entry 4; the redaction is entry 22/);
      const verify = run(['ledger', 'verify', '--witness', witness]);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /payloads: 4 held, 1 redacted/);
      assert.match(run(['ledger', 'redact', '--index', '1', '--reason', 'x']).stderr, /no separately kept payload/);
    });

    it('export writes a bundle that verifies offline and names what is wrong when it does not', () => {
      const out = join(test.dataDir, 'bundle');
      const exported = run(['ledger', 'export', '--out', out]);
      assert.equal(exported.status, 0, exported.stderr);
      assert.deepEqual(readdirSync(out).sort(), ['checkpoint', 'checkpoints', 'entries.jsonl', 'payloads.jsonl', 'vkey']);
      const lines = readFileSync(join(out, 'entries.jsonl'), 'utf8').split('\n');
      assert.equal(lines.length, 24); // 23 entries and the final newline
      assert.equal(readFileSync(join(out, 'payloads.jsonl'), 'utf8').split('\n').length, 5);
      const ok = gatehouse(['ledger', 'verify', '--bundle', out]);
      assert.equal(ok.status, 0, ok.stdout);
      assert.match(ok.stdout, /entries: 23/);
      assert.equal(run(['ledger', 'export', '--out', out]).status, 2, 'refuses a non-empty folder');

      lines[9] = lines[9]!.replace('orders', 'ordert');
      writeFileSync(join(out, 'entries.jsonl'), lines.join('\n'));
      const changed = gatehouse(['ledger', 'verify', '--bundle', out]);
      assert.equal(changed.status, 1);
      assert.match(changed.stdout, /FAILED: .*first at entry 0: .*an entry in 0\.\.\d+ differs/);

      writeFileSync(join(out, 'checkpoints', '20'), 'garbage\n');
      const corrupt = gatehouse(['ledger', 'verify', '--bundle', out, '--json']);
      assert.equal(corrupt.status, 1);
      assert.ok(JSON.parse(corrupt.stdout).problems.some((p: { kind: string; message: string }) =>
        p.kind === 'checkpoint_invalid' && p.message.includes('checkpoints/20')));

      unlinkSync(join(out, 'vkey'));
      const missing = gatehouse(['ledger', 'verify', '--bundle', out]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /missing vkey/);
      rmSync(out, { recursive: true });
    });

    it('rotate-key keeps old checkpoints verifiable and signs new ones with the new key', () => {
      const rotated = run(['ledger', 'rotate-key', '--witness-dir', witness]);
      assert.equal(rotated.status, 0, rotated.stderr);
      assert.match(rotated.stdout, /new verifier key is:\nexample\.com\/audit\+[0-9a-f]{8}\+/);
      assert.equal(run(['ledger', 'append', '--witness-dir', witness], jsonLines([event(300)])).status, 0);
      const verify = run(['ledger', 'verify', '--witness', witness]);
      assert.equal(verify.status, 0, verify.stdout);
      const out = join(test.dataDir, 'bundle2');
      assert.equal(run(['ledger', 'export', '--out', out]).status, 0);
      assert.equal(readFileSync(join(out, 'vkey'), 'utf8').trim().split('\n').length, 2);
      assert.equal(gatehouse(['ledger', 'verify', '--bundle', out]).status, 0);
    });

    it('a corrupt witness checkpoint fails verification with its file named', () => {
      writeFileSync(join(witness, '21'), 'example.com/audit\n21\nnot-base64\n\n— example.com/audit AAAA\n');
      const verify = run(['ledger', 'verify', '--witness', witness]);
      assert.equal(verify.status, 1);
      assert.match(verify.stdout, /witness checkpoint .*21 is not a valid checkpoint/);
      unlinkSync(join(witness, '21'));
    });
  });
}

describe('gatehouse CLI errors', () => {
  it('names a missing data directory and what to do', () => {
    const result = gatehouse(['ledger', 'verify', '--data-dir', '/nonexistent/gatehouse']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no Gatehouse data directory at \/nonexistent\/gatehouse; run 'gatehouse init' first/);
  });

  it('names an unreachable PostgreSQL without its password', () => {
    const result = gatehouse(['ledger', 'verify', '--database-url', 'postgres://u:secret@127.0.0.1:1/x']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
    assert.doesNotMatch(result.stderr, /secret/);
  });
});
