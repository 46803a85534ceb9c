import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { listenOrFallBack } from './listen.js';

const bind = (server: Server, host: string, port: number) =>
  new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('listenOrFallBack', () => {
  it('moves a taken default port to a free one, and keeps a free default as is', async () => {
    const holder = createServer();
    const taken = await bind(holder, '127.0.0.1', 0);
    const moved = createServer();
    try {
      const at = await listenOrFallBack({ host: '127.0.0.1', port: taken.port, explicit: false }, (h, p) => bind(moved, h, p));
      assert.notEqual(at.port, taken.port);
      assert.ok(at.port > 0);
    } finally {
      await close(moved);
      await close(holder);
    }
    const again = createServer();
    try {
      const at = await listenOrFallBack({ host: '127.0.0.1', port: taken.port, explicit: false }, (h, p) => bind(again, h, p));
      assert.equal(at.port, taken.port);
    } finally {
      await close(again);
    }
  });

  it('fails on a taken port the user named, and on errors other than EADDRINUSE', async () => {
    const holder = createServer();
    const taken = await bind(holder, '127.0.0.1', 0);
    try {
      await assert.rejects(
        listenOrFallBack({ host: '127.0.0.1', port: taken.port, explicit: true }, (h, p) => bind(createServer(), h, p)),
        (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE',
      );
      let calls = 0;
      const refused = Object.assign(new Error('no'), { code: 'EACCES' });
      await assert.rejects(
        listenOrFallBack({ host: '127.0.0.1', port: 80, explicit: false }, async () => {
          calls++;
          throw refused;
        }),
        refused,
      );
      assert.equal(calls, 1);
    } finally {
      await close(holder);
    }
  });
});
