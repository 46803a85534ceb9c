import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PacketReader } from './packets.js';
import { ProtocolError } from './errors.js';
import { COM } from './constants.js';
import { ResponseTracker } from './tracker.js';
import { decodeBinaryRow } from './result-set.js';
import { decodeStmtExecute } from './stmt-execute.js';
import { decodeCommand } from './commands.js';
import { TYPE } from './constants.js';
import { CAPS, CAPS_WITH_ATTRIBUTES, clientPayloads, decodeClient, decodeServer, serverPayloads, stream } from './samples.fixture.js';

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (b: Buffer, int: (n: number) => number) => Buffer;

/** The damage a broken or hostile peer can do to a valid stream. */
const MUTATIONS: Record<string, Mutation> = {
  'random bytes': (b, int) => {
    const out = Buffer.from(b);
    for (let k = 1 + int(8); k > 0; k--) out[int(out.length)] = int(256);
    return out;
  },
  'flipped bits': (b, int) => {
    const out = Buffer.from(b);
    for (let k = 1 + int(8); k > 0; k--) out[int(out.length)]! ^= 1 << int(8);
    return out;
  },
  truncated: (b, int) => b.subarray(0, int(b.length)),
  'bogus length': (b, int) => {
    const out = Buffer.from(b);
    const at = Math.max(0, int(out.length) - 3);
    const choices = [0, 1, 2, 0xffffff, 0xfffffe, int(0x10000), out.length - at];
    out.writeUIntLE(choices[int(choices.length)]!, at, 3);
    return out;
  },
  'inserted garbage': (b, int) => {
    const at = int(b.length);
    const junk = Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256)));
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  },
  'removed bytes': (b, int) => {
    const at = int(b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(8))]);
  },
};

/** Frames a (damaged) stream in random chunks and decodes every packet; the only failure allowed is a ProtocolError. */
function run(wire: Buffer, client: boolean, int: (n: number) => number): { packets: number; error: boolean } {
  const reader = new PacketReader({ maxPacketBytes: 1 << 20 });
  let packets = 0;
  try {
    let pos = 0;
    while (pos < wire.length) {
      const size = 1 + int(int(2) === 0 ? 8 : 4096);
      reader.push(wire.subarray(pos, pos + size));
      pos += size;
      for (let p = reader.next(); p !== null; p = reader.next()) {
        (client ? decodeClient : decodeServer)(packets++, p.payload);
      }
    }
    return { packets, error: false };
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return { packets, error: true };
  }
}

describe('MySQL codec fuzz', () => {
  const clientWire = stream(clientPayloads(1024));
  const serverWire = stream(serverPayloads(1024));

  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    it(`${name}: 250 seeded mutations of each stream give only packets or ProtocolError`, () => {
      let errors = 0;
      let packets = 0;
      for (let seed = 1; seed <= 250; seed++) {
        const r = rng(seed * 7919 + name.length);
        const int = (n: number) => Math.floor(r() * n);
        for (const [wire, client] of [[clientWire, true], [serverWire, false]] as const) {
          try {
            const result = run(mutate(wire, int), client, int);
            packets += result.packets;
            if (result.error) errors++;
          } catch (err) {
            assert.fail(`seed ${seed} (${client ? 'client' : 'server'} stream): ${String((err as Error).stack)}`);
          }
        }
      }
      // The fuzz must reach both outcomes, or it proves nothing.
      assert.ok(packets > 1000, `only ${packets} packets decoded`);
      if (name !== 'truncated') assert.ok(errors > 15, `only ${errors} protocol errors`);
    });
  }

  it('decoders and the response tracker given random payloads throw only ProtocolError', () => {
    const r = rng(42);
    const int = (n: number) => Math.floor(r() * n);
    const commands = [COM.QUERY, COM.STMT_EXECUTE, COM.STMT_PREPARE, COM.FIELD_LIST, COM.PING, COM.CHANGE_USER, COM.STATISTICS, COM.STMT_FETCH];
    let thrown = 0;
    const check = (fn: () => unknown, what: Buffer) => {
      try {
        fn();
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `payload ${what.toString('hex')}: ${String(err)}`);
        thrown++;
      }
    };
    for (let i = 0; i < 3000; i++) {
      const payload = Buffer.from(Array.from({ length: int(48) }, () => (int(4) === 0 ? [0, 0xfb, 0xfc, 0xfe, 0xff][int(5)]! : int(256))));
      const caps = int(2) === 0 ? CAPS : CAPS_WITH_ATTRIBUTES;
      check(() => decodeClient(1 + int(3), payload, caps), payload);
      check(() => decodeServer(int(2), payload, caps), payload);
      check(() => decodeCommand(payload, caps), payload);
      check(() => decodeStmtExecute(payload, caps, { paramCount: int(4) }), payload);
      check(() => decodeBinaryRow(payload, [{ type: TYPE.DATETIME, flags: 0 }, { type: TYPE.TIME, flags: 0 }, { type: TYPE.LONGLONG, flags: 32 }, { type: TYPE.BLOB, flags: 0 }]), payload);
      const tracker = new ResponseTracker(caps, commands[int(commands.length)]!, { cursor: int(2) === 0 });
      for (let k = 0; k < 6 && !tracker.done; k++) {
        const p = k === 0 ? payload : Buffer.from(Array.from({ length: int(12) }, () => int(256)));
        if (tracker.awaitingClient) tracker.clientPacket(p.subarray(0, int(2)));
        else check(() => tracker.serverPacket(p), p);
      }
    }
    assert.ok(thrown > 1000);
  });
});
