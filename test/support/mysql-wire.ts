import type { Socket } from 'node:net';
import { decodeErr, encodePacket, PacketReader, type ErrPacket, type Packet } from '../../src/gateway/mysql/codec/index.js';
import { connectUpstream } from '../../src/gateway/mysql/upstream.js';
import { PASSWORDS } from './gateway.js';
import { CodecClient } from './mysql-client.js';
import { MYSQL_CONNECTION, type TestMysqlGateway } from './mysql-gateway.js';

/**
 * A client of the gateway that speaks the protocol with the project's codec alone, for
 * packets no driver would send: it logs in with the project's own dialer (a real login,
 * caching_sha2_password's fast path), then sends whatever bytes a test makes.
 */
export async function wireClient(gw: TestMysqlGateway, user: keyof typeof PASSWORDS): Promise<CodecClient> {
  const conn = await connectUpstream({ host: '127.0.0.1', port: gw.port, user, password: PASSWORDS[user], database: MYSQL_CONNECTION, tls: 'disable', connectTimeoutMs: 5000 });
  return new CodecClient(conn);
}

/** Writes `bytes` one at a time, each in a write of its own after a turn of the event loop (no Nagle: one segment each). */
export async function writeByteByByte(socket: Socket, bytes: Buffer): Promise<void> {
  for (const byte of bytes) {
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Everything the gateway sends until it closes the connection (or `timeoutMs` passes: then `closed` is false). */
export function readUntilClosed(socket: Socket, timeoutMs = 3000): Promise<{ packets: Packet[]; closed: boolean }> {
  const reader = new PacketReader();
  const packets: Packet[] = [];
  return new Promise((resolve) => {
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ packets, closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const onData = (chunk: Buffer) => {
      reader.push(chunk);
      for (let p = reader.next(); p; p = reader.next()) packets.push({ ...p, payload: Buffer.from(p.payload) });
    };
    socket.on('data', onData);
    socket.once('close', () => done(true));
    socket.resume();
  });
}

/** The ERR packet among `packets` (the only one expected). */
export function errOf(packets: Packet[]): (ErrPacket & { sequenceId: number }) | undefined {
  const p = packets.find((x) => x.payload[0] === 0xff);
  return p ? { ...decodeErr(p.payload), sequenceId: p.sequenceId } : undefined;
}
