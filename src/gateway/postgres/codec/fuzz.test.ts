import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameReader } from './reader.js';
import { ProtocolError } from './errors.js';
import { parseStartup } from './frontend.js';
import { clientMessages, decodeClient, decodeServer, serverMessages } from './samples.fixture.js';

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

type Mutation = (b: Buffer, r: () => number, int: (n: number) => number) => Buffer;

/** The damage a broken or hostile peer can do to a valid stream. */
const MUTATIONS: Record<string, Mutation> = {
  'random bytes': (b, r, int) => {
    const out = Buffer.from(b);
    for (let k = 1 + int(8); k > 0; k--) out[int(out.length)] = int(256);
    return out;
  },
  'flipped bits': (b, r, int) => {
    const out = Buffer.from(b);
    for (let k = 1 + int(8); k > 0; k--) out[int(out.length)]! ^= 1 << int(8);
    return out;
  },
  truncated: (b, r, int) => b.subarray(0, int(b.length)),
  'bogus length': (b, r, int) => {
    const out = Buffer.from(b);
    const at = Math.max(0, int(out.length) - 4);
    const choices = [0, 1, 3, 4, 5, -1, 0x7fffffff, 0x40000000, int(0x10000), out.length - at];
    out.writeInt32BE(choices[int(choices.length)]!, at);
    return out;
  },
  'inserted garbage': (b, r, int) => {
    const at = int(b.length);
    const junk = Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256)));
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  },
  'removed bytes': (b, r, int) => {
    const at = int(b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(8))]);
  },
};

/**
 * Frames a (damaged) stream in random chunks and decodes every frame. The only failure
 * allowed is a ProtocolError; every frame returned must be self-consistent.
 */
function run(stream: Buffer, withStartup: boolean, int: (n: number) => number): { frames: number; error: boolean } {
  const reader = new FrameReader({ maxMessageBytes: 1 << 20 });
  let startupDone = !withStartup;
  let frames = 0;
  try {
    let pos = 0;
    while (pos < stream.length) {
      const size = 1 + int(int(2) === 0 ? 8 : 4096);
      reader.push(stream.subarray(pos, pos + size));
      pos += size;
      if (!startupDone) {
        const body = reader.nextStartup();
        if (body === null) continue;
        startupDone = true;
        frames++;
        parseStartup(body);
      }
      for (let f = reader.next(); f !== null; f = reader.next()) {
        frames++;
        assert.equal(f.raw.length, f.body.length + 5);
        (withStartup ? decodeClient : decodeServer)(f.type, f.body);
      }
    }
    return { frames, error: false };
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    assert.match(err.sqlstate, /^(08P01|54000|0A000)$/);
    return { frames, error: true };
  }
}

describe('codec fuzz', () => {
  const client = clientMessages(2048);
  const clientStream = Buffer.concat([client.startup, ...client.typed]);
  const serverStream = Buffer.concat(serverMessages(2048));

  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    it(`${name}: 1500 seeded mutations of each stream give only frames or ProtocolError`, () => {
      let errors = 0;
      let frames = 0;
      for (let seed = 1; seed <= 1500; seed++) {
        const r = rng(seed * 7919 + name.length);
        const int = (n: number) => Math.floor(r() * n);
        for (const [stream, withStartup] of [[clientStream, true], [serverStream, false]] as const) {
          const damaged = mutate(stream, r, int);
          try {
            const result = run(damaged, withStartup, int);
            frames += result.frames;
            if (result.error) errors++;
          } catch (err) {
            assert.fail(`seed ${seed} (${withStartup ? 'client' : 'server'} stream): ${String((err as Error).stack)}`);
          }
        }
      }
      // The fuzz must reach both outcomes, or it proves nothing.
      assert.ok(frames > 1000, `only ${frames} frames decoded`);
      if (name !== 'truncated') assert.ok(errors > 100, `only ${errors} protocol errors`);
    });
  }

  it('decoders given random bodies of every message type throw only ProtocolError', () => {
    const r = rng(42);
    const int = (n: number) => Math.floor(r() * n);
    const types = [...'QPBDCEfpRSKZCENv'].map((c) => c.charCodeAt(0));
    let thrown = 0;
    for (let i = 0; i < 10000; i++) {
      const body = Buffer.from(Array.from({ length: int(40) }, () => (int(3) === 0 ? 0 : int(256))));
      for (const decode of [decodeClient, decodeServer]) {
        try {
          decode(types[int(types.length)]!, body);
        } catch (err) {
          assert.ok(err instanceof ProtocolError, `body ${body.toString('hex')}: ${String(err)}`);
          thrown++;
        }
      }
      try {
        parseStartup(body);
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `startup body ${body.toString('hex')}: ${String(err)}`);
      }
    }
    assert.ok(thrown > 1000);
  });
});
