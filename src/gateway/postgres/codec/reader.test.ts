import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader } from './reader.js';
import { ProtocolError } from './errors.js';
import * as fe from './frontend.js';
import { clientMessages, dataRow, serverMessages } from './samples.fixture.js';

/** A DataRow whose length field is `length`. */
const rowWithLength = (length: number) => dataRow([Buffer.alloc(length - 10, 0x61)]);

/** Takes every complete packet out of the reader: the startup packet first when asked, then typed messages. */
function drain(reader: FrameReader, state: { startupDone: boolean }, out: Buffer[]): void {
  if (!state.startupDone) {
    const body = reader.nextStartup();
    if (body === null) return;
    out.push(body);
    state.startupDone = true;
  }
  for (let f = reader.next(); f !== null; f = reader.next()) {
    assert.equal(f.raw[0], f.type);
    assert.equal(f.raw.readInt32BE(1), f.body.length + 4);
    assert.equal(f.raw.length, f.body.length + 5);
    out.push(f.raw);
  }
}

/** Every packet the reader yields for the stream pushed in these chunks (startup body, then raw typed messages). */
function frames(chunks: Buffer[], withStartup: boolean): Buffer[] {
  const reader = new FrameReader();
  const state = { startupDone: !withStartup };
  const out: Buffer[] = [];
  for (const c of chunks) {
    reader.push(c);
    drain(reader, state, out);
  }
  assert.equal(reader.buffered, 0, 'every byte became a frame');
  return out;
}

function sameFrames(got: Buffer[], expected: readonly Buffer[], what: string): void {
  assert.equal(got.length, expected.length, `${what}: frame count`);
  got.forEach((g, i) => assert.ok(g.equals(expected[i]!), `${what}: frame ${i} differs`));
}

const client = clientMessages();
const clientStream = Buffer.concat([client.startup, ...client.typed]);
const clientExpected = [client.startup.subarray(4), ...client.typed];
const server = serverMessages();
const serverStream = Buffer.concat(server);
const serverExpected = server;

describe('FrameReader', () => {
  it('returns typed messages as views of the chunk they sit in (no copy)', () => {
    const reader = new FrameReader();
    const chunk = Buffer.concat([fe.query('SELECT 1'), fe.sync()]);
    reader.push(chunk);
    const q = reader.next()!;
    assert.equal(q.type, fe.FE.Query);
    assert.equal(fe.parseQuery(q.body), 'SELECT 1');
    assert.equal(q.raw.buffer, chunk.buffer);
    assert.equal(q.raw.byteOffset, chunk.byteOffset);
    assert.equal(q.body.byteOffset, chunk.byteOffset + 5);
    const s = reader.next()!;
    assert.equal(s.type, fe.FE.Sync);
    assert.equal(s.body.length, 0);
    assert.equal(reader.next(), null);
    assert.equal(reader.buffered, 0);
  });

  it('waits for the rest of a message and copies only a message that spans chunks', () => {
    const reader = new FrameReader();
    const q = fe.query('SELECT 42');
    reader.push(q.subarray(0, 3));
    assert.equal(reader.next(), null);
    reader.push(q.subarray(3, 9));
    assert.equal(reader.next(), null);
    assert.equal(reader.buffered, 9);
    reader.push(Buffer.concat([q.subarray(9), fe.sync()]));
    const f = reader.next()!;
    assert.ok(f.raw.equals(q));
    assert.equal(reader.next()!.type, fe.FE.Sync);
    assert.equal(reader.next(), null);
  });

  it('reads the startup packet, then hands over what follows it', () => {
    const reader = new FrameReader();
    const startup = fe.startupMessage({ user: 'u' });
    const q = fe.query('x');
    reader.push(Buffer.concat([fe.sslRequest(), startup.subarray(0, 10)]));
    assert.deepEqual(fe.parseStartup(reader.nextStartup()!), { kind: 'ssl' });
    assert.equal(reader.nextStartup(), null);
    reader.push(Buffer.concat([startup.subarray(10), q.subarray(0, 4)]));
    const body = reader.nextStartup()!;
    assert.ok(body.equals(startup.subarray(4)));
    reader.push(q.subarray(4));
    assert.equal(reader.buffered, q.length);
    assert.ok(reader.takeRemainder().equals(q));
    assert.equal(reader.buffered, 0);
    assert.equal(reader.takeRemainder().length, 0);
    assert.equal(reader.next(), null);
  });

  it('refuses a typed message length below 4 at once, and keeps refusing', () => {
    for (const length of [0, 3, -1, -2147483648]) {
      const reader = new FrameReader();
      const b = Buffer.from([0x51, 0, 0, 0, 0]);
      b.writeInt32BE(length, 1);
      reader.push(b);
      assert.throws(() => reader.next(), (e: unknown) => e instanceof ProtocolError && e.sqlstate === '08P01');
      assert.throws(() => reader.next(), ProtocolError);
    }
  });

  it('refuses a message over the limit as program_limit_exceeded before its body arrives', () => {
    const reader = new FrameReader({ maxMessageBytes: 1000 });
    const ok = rowWithLength(1000);
    reader.push(ok);
    assert.equal(reader.next()!.raw.length, 1001);
    reader.push(Buffer.from([0x44, 0, 0, 0x03, 0xe9])); // length 1001, no body yet
    assert.throws(() => reader.next(), (e: unknown) => e instanceof ProtocolError && e.sqlstate === '54000');
    const big = new FrameReader();
    big.push(Buffer.from([0x44, 0x7f, 0xff, 0xff, 0xff]));
    assert.throws(() => big.next(), (e: unknown) => e instanceof ProtocolError && e.sqlstate === '54000');
  });

  it('refuses startup packets shorter than 8 or longer than 10000 bytes', () => {
    for (const length of [0, 4, 7, 10001, 0x7fffffff, -8]) {
      const reader = new FrameReader();
      const b = Buffer.alloc(4);
      b.writeInt32BE(length, 0);
      reader.push(b);
      assert.throws(() => reader.nextStartup(), (e: unknown) => e instanceof ProtocolError && e.sqlstate === '08P01');
    }
    const reader = new FrameReader();
    const max = Buffer.alloc(10000);
    max.writeInt32BE(10000, 0);
    reader.push(max);
    assert.equal(reader.nextStartup()!.length, 9996);
  });

  it('a header split across chunks is read correctly', () => {
    const reader = new FrameReader();
    const row = rowWithLength(70000);
    for (let i = 0; i < 5; i++) reader.push(row.subarray(i, i + 1));
    assert.equal(reader.next(), null);
    reader.push(row.subarray(5, 40000));
    assert.equal(reader.next(), null);
    reader.push(row.subarray(40000));
    assert.ok(reader.next()!.raw.equals(row));
  });
});

describe('FrameReader split at every byte', () => {
  for (const [name, stream, expected, withStartup] of [
    ['a client stream (startup packet, then typed messages with a 16 KiB Bind parameter)', clientStream, clientExpected, true],
    ['a server stream (startup answers, then rows with a 16 KiB DataRow)', serverStream, serverExpected, false],
  ] as const) {
    it(`${name}: in one piece, in two pieces at every split point, byte by byte`, () => {
      sameFrames(frames([stream], withStartup), expected, 'one piece');
      for (let cut = 0; cut <= stream.length; cut++) {
        sameFrames(frames([stream.subarray(0, cut), stream.subarray(cut)], withStartup), expected, `split at ${cut}`);
      }
      const bytes: Buffer[] = [];
      for (let i = 0; i < stream.length; i++) bytes.push(stream.subarray(i, i + 1));
      sameFrames(frames(bytes, withStartup), expected, 'byte by byte');
    });
  }
});
