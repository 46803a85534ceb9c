import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FrameReader } from '../src/gateway/postgres/codec/index.js';

/**
 * The yardstick of the pg suite: a relay in Node that only frames every message both ways
 * with the gateway's own codec and forwards it (one write per chunk read), with no policy, no
 * audit and no ledger. What it reaches beside PgBouncer on the day is what any Node relay of
 * this protocol can reach there; the gateway's distance from it is the cost of deciding and
 * recording each statement. The calibration quotes such a relay at about 0.8 ×
 * PgBouncer. Runs in the bench's own process, which only waits on pgbench meanwhile.
 */
export interface FramingRelay {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startFramingRelay(upstream: { host: string; port: number }): Promise<FramingRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (client) => {
    const server = connect({ host: upstream.host, port: upstream.port, noDelay: true });
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    const fail = () => (client.destroy(), server.destroy());
    /** Frames what `from` sends and writes it to `to`, one write per chunk read. */
    const relay = (from: Socket, to: Socket, startsWithStartupPacket: boolean) => {
      const reader = new FrameReader();
      let startup = startsWithStartupPacket;
      from.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
          const out: Buffer[] = [];
          if (startup) {
            const body = reader.nextStartup();
            if (!body) return;
            startup = false;
            const length = Buffer.alloc(4);
            length.writeInt32BE(4 + body.length);
            out.push(length, body);
          }
          for (let frame = reader.next(); frame; frame = reader.next()) out.push(frame.raw);
          if (out.length > 0) to.write(out.length === 1 ? out[0]! : Buffer.concat(out));
        } catch {
          fail();
        }
      });
    };
    // The client's first message is a startup packet (no type byte). pgbench runs with
    // PGSSLMODE=disable, so no SSLRequest (and no one-byte answer) comes first.
    relay(client, server, true);
    relay(server, client, false);
    client.on('close', fail).on('error', fail);
    server.on('close', fail).on('error', fail);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    host: address,
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
