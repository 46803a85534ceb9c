import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodePacket, nextSequenceId, PacketReader } from './packets.js';
import type { Packet } from './packets.js';
import { ProtocolError } from './errors.js';
import { clientPayloads, serverPayloads, stream } from './samples.fixture.js';

const MAX = 0xffffff;
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function packets(chunks: Buffer[], options: { maxPacketBytes?: number } = {}): Packet[] {
  const reader = new PacketReader(options);
  const out: Packet[] = [];
  for (const c of chunks) {
    reader.push(c);
    for (let p = reader.next(); p !== null; p = reader.next()) out.push(p);
  }
  assert.equal(reader.buffered, 0, 'every byte became a packet');
  return out;
}

function rejects(fn: () => unknown, code: number): void {
  assert.throws(fn, (e: unknown) => e instanceof ProtocolError && e.code === code);
}

describe('PacketReader and encodePacket', () => {
  it('frames "MySQL Packets" as the docs show them (COM_QUIT: 01 00 00 00 01)', () => {
    assert.deepEqual(encodePacket(0, Buffer.from([0x01])), hex('01 00 00 00 01'));
    const [p] = packets([hex('01 00 00 00 01')]);
    assert.equal(p!.sequenceId, 0);
    assert.deepEqual(p!.payload, Buffer.from([1]));
    assert.deepEqual(encodePacket(3, Buffer.alloc(0)), hex('00 00 00 03'));
  });

  it('returns packets inside one chunk as views of it, and copies one that spans chunks', () => {
    const chunk = Buffer.concat([encodePacket(0, Buffer.from('abc')), encodePacket(1, Buffer.from('de'))]);
    const reader = new PacketReader();
    reader.push(chunk.subarray(0, 9));
    const a = reader.next()!;
    assert.equal(a.raw.buffer, chunk.buffer);
    assert.equal(a.payload.toString(), 'abc');
    assert.equal(reader.next(), null);
    reader.push(chunk.subarray(9));
    const b = reader.next()!;
    assert.deepEqual([b.sequenceId, b.lastSequenceId, b.payload.toString()], [1, 1, 'de']);
    assert.deepEqual(b.raw, chunk.subarray(7));
  });

  it('splits a payload of 0xFFFFFF bytes or more, with an empty last packet when the length is a multiple ("Sending More Than 16Mb")', () => {
    for (const [length, parts] of [
      [MAX - 1, 1],
      [MAX, 2],
      [MAX + 1, 2],
      [2 * MAX, 3],
    ] as const) {
      const payload = Buffer.alloc(length, 0x61);
      payload[length - 1] = 0x62;
      const wire = encodePacket(255, payload);
      assert.equal(wire.length, length + 4 * parts, `length ${length}`);
      // Each physical header: the first ones full, sequence ids 255, 0, 1 … (mod 256).
      let at = 0;
      for (let i = 0; i < parts; i++) {
        const l = wire.readUIntLE(at, 3);
        assert.equal(wire[at + 3], (255 + i) & 0xff);
        assert.equal(l, i < parts - 1 ? MAX : length - (parts - 1) * MAX);
        at += 4 + l;
      }
      assert.equal(nextSequenceId(255, length), (255 + parts) & 0xff);
      // Joined again, in one piece and in awkward chunks (a header split across chunks).
      const [whole] = packets([wire], { maxPacketBytes: 3 * MAX });
      assert.equal(whole!.payload.length, length);
      assert.ok(whole!.payload.equals(payload));
      assert.deepEqual([whole!.sequenceId, whole!.lastSequenceId], [255, (255 + parts - 1) & 0xff]);
      const cuts = [0, 2, MAX + 2, MAX + 5, wire.length - 1].filter((c) => c < wire.length);
      const chunks = cuts.map((c, i) => wire.subarray(c, cuts[i + 1] ?? wire.length));
      const [split] = packets(chunks, { maxPacketBytes: 3 * MAX });
      assert.ok(split!.payload.equals(payload));
      assert.ok(split!.raw.equals(wire));
    }
  });

  it('refuses a logical packet over the limit as soon as its header says so (1153, 08S01)', () => {
    const reader = new PacketReader({ maxPacketBytes: 100 });
    reader.push(encodePacket(0, Buffer.alloc(100)));
    assert.equal(reader.next()!.payload.length, 100);
    reader.push(hex('65 00 00 01')); // 101 bytes announced, none sent
    rejects(() => reader.next(), 1153);
    rejects(() => reader.next(), 1153); // and keeps refusing
    // A 64 MiB default: five full packets and more is too much.
    const big = new PacketReader();
    for (let i = 0; i < 5; i++) big.push(Buffer.concat([hex(`ff ff ff 0${i}`), Buffer.alloc(MAX)]));
    rejects(() => big.next(), 1153);
  });

  it('refuses a continuation packet with the wrong sequence id (1156, 08S01)', () => {
    const wire = encodePacket(0, Buffer.alloc(MAX + 10));
    wire[MAX + 4 + 3] = 5;
    rejects(() => packets([wire], { maxPacketBytes: 2 * MAX }), 1156);
  });

  it('hands over what is buffered', () => {
    const reader = new PacketReader();
    const wire = encodePacket(0, Buffer.from('hello'));
    reader.push(wire.subarray(0, 6));
    assert.equal(reader.next(), null);
    reader.push(wire.subarray(6));
    assert.ok(reader.takeRemainder().equals(wire));
    assert.equal(reader.buffered, 0);
    assert.equal(reader.next(), null);
  });
});

describe('PacketReader split at every byte', () => {
  for (const [name, payloads] of [
    ['a client stream (handshake, commands, a 16 KiB query, LOCAL INFILE content)', clientPayloads()],
    ['a server stream (greeting, auth switch, a result set with a 16 KiB row, OK, ERR, prepare, LOCAL INFILE)', serverPayloads()],
  ] as const) {
    it(`${name}: in one piece, in two pieces at every offset, byte by byte`, () => {
      const wire = stream(payloads);
      const expected = payloads.map(([seq, p]) => `${seq}:${p.toString('hex')}`);
      const same = (got: Packet[], what: string) =>
        assert.deepEqual(
          got.map((p) => `${p.sequenceId}:${p.payload.toString('hex')}`),
          expected,
          what,
        );
      same(packets([wire]), 'one piece');
      for (let cut = 0; cut <= wire.length; cut++) same(packets([wire.subarray(0, cut), wire.subarray(cut)]), `split at ${cut}`);
      const bytes: Buffer[] = [];
      for (let i = 0; i < wire.length; i++) bytes.push(wire.subarray(i, i + 1));
      same(packets(bytes), 'byte by byte');
    });
  }
});
