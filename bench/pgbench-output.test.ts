import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BenchOutputError } from './errors.js';
import { parsePgbenchOutput } from './pgbench-output.js';

/** What pgbench 15 printed here for `pgbench -n -M simple -S -c 8 -j 2 -T 5`. */
const PG15 = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: select only>
scaling factor: 10
query mode: simple
number of clients: 8
number of threads: 2
maximum number of tries: 1
duration: 5 s
number of transactions actually processed: 85936
number of failed transactions: 0 (0.000%)
latency average = 0.464 ms
initial connection time = 21.656 ms
tps = 17223.655589 (without initial connection time)
`;

/** pgbench 13 and older print two tps lines; the one without connection set-up is the second. */
const PG13 = `transaction type: <builtin: TPC-B (sort of)>
scaling factor: 10
query mode: simple
number of clients: 32
number of threads: 2
duration: 10 s
number of transactions actually processed: 9290
latency average = 34.462 ms
latency stddev = 12.125 ms
tps = 921.338120 (including connections establishing)
tps = 928.568246 (excluding connections establishing)
`;

describe('parsePgbenchOutput', () => {
  it('reads the summary of pgbench 15', () => {
    assert.deepEqual(parsePgbenchOutput(PG15), { clients: 8, transactions: 85936, failed: 0, tps: 17223.655589, latencyMs: 0.464 });
  });

  it('takes the tps without connection set-up from the two lines of older versions', () => {
    const r = parsePgbenchOutput(PG13);
    assert.equal(r.tps, 928.568246);
    assert.equal(r.latencyMs, 34.462);
    assert.equal(r.clients, 32);
    assert.equal(r.failed, 0);
  });

  it('reads failed transactions, "N/M" processed counts (-t) and CRLF line ends', () => {
    const text = PG15.replace('processed: 85936', 'processed: 800/800')
      .replace('failed transactions: 0 (0.000%)', 'failed transactions: 3 (0.375%)')
      .replace(/\n/g, '\r\n');
    const r = parsePgbenchOutput(text);
    assert.equal(r.transactions, 800);
    assert.equal(r.failed, 3);
    assert.equal(r.tps, 17223.655589);
  });

  it('does not take the initial connection time for the latency', () => {
    const text = PG15.replace('latency average = 0.464 ms\n', '');
    assert.throws(() => parsePgbenchOutput(text), (e: Error) => e instanceof BenchOutputError && /latency average/.test(e.message));
  });

  for (const [what, line] of [
    ['tps', 'tps = 17223.655589 (without initial connection time)\n'],
    ['number of clients', 'number of clients: 8\n'],
    ['number of transactions', 'number of transactions actually processed: 85936\n'],
  ] as const) {
    it(`fails loudly, quoting the output, without the ${what} line`, () => {
      assert.throws(
        () => parsePgbenchOutput(PG15.replace(line, '')),
        (e: Error) => e instanceof BenchOutputError && e.message.includes(what) && e.message.includes('scaling factor: 10'),
      );
    });
  }

  it('refuses a tps that includes connection set-up, and a number that is not one', () => {
    assert.throws(() => parsePgbenchOutput(PG13.replace(/^tps = 928.*\n/m, '')), BenchOutputError);
    assert.throws(() => parsePgbenchOutput(PG15.replace('tps = 17223.655589', 'tps = nan')), BenchOutputError);
    assert.throws(() => parsePgbenchOutput(PG15.replace('= 0.464 ms', '= -0.464 ms')), BenchOutputError);
  });

  it('fails on an empty or aborted run', () => {
    assert.throws(() => parsePgbenchOutput(''), /printed:\n\(nothing\)/);
    const aborted = PG15.split('number of transactions')[0]!;
    assert.throws(() => parsePgbenchOutput(aborted), BenchOutputError);
  });
});
