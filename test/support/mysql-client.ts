import { randomBytes } from 'node:crypto';
import { COM, encodeCommand, encodePacket, PacketReader, ResponseTracker } from '../../src/gateway/mysql/codec/index.js';
import type { EncodableCommand, ResponseOutcome } from '../../src/gateway/mysql/codec/index.js';
import type { UpstreamConnection, UpstreamTarget } from '../../src/gateway/mysql/upstream.js';

/**
 * The MariaDB server the tests use (this machine's; root without a password). A missing
 * server is a failure, never a skip.
 */
export const TEST_MYSQL_URL = process.env.GATEHOUSE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export function mysqlTarget(): UpstreamTarget {
  const url = new URL(TEST_MYSQL_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username) || 'root',
    password: url.password ? decodeURIComponent(url.password) : null,
    database: url.pathname.slice(1) || 'test',
    tls: 'disable',
    connectTimeoutMs: 5000,
  };
}

/** A unique name for a throwaway account or table. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export interface CommandResult {
  outcomes: ResponseOutcome[];
  /** Every packet payload of the response, in order. */
  packets: Buffer[];
  /** The response exactly as it came off the wire. */
  raw: Buffer;
}

/**
 * Runs commands over a dialed connection with the codec alone, as the relay will: each
 * command is sent with sequence id 0 and its response is followed by a ResponseTracker.
 */
export class CodecClient {
  private readonly reader = new PacketReader();

  constructor(readonly conn: UpstreamConnection) {
    this.reader.push(conn.remainder);
  }

  command(cmd: EncodableCommand, options: { cursor?: boolean } = {}): Promise<CommandResult> {
    return this.send(encodeCommand(cmd, this.conn.capabilities), options);
  }

  query(sql: string): Promise<CommandResult> {
    return this.command({ kind: 'query', query: sql });
  }

  /** Sends one command payload and reads its whole response; `write` may send the packet's bytes its own way (e.g. split up). */
  send(payload: Buffer, options: { cursor?: boolean; write?: (bytes: Buffer) => unknown } = {}): Promise<CommandResult> {
    const tracker = new ResponseTracker(this.conn.capabilities, payload[0]!, options);
    const socket = this.conn.socket;
    if (options.write) void options.write(encodePacket(0, payload));
    else socket.write(encodePacket(0, payload));
    const result: CommandResult = { outcomes: tracker.outcomes, packets: [], raw: Buffer.alloc(0) };
    if (tracker.done) return Promise.resolve(result);
    const raws: Buffer[] = [];
    return new Promise((resolve, reject) => {
      const drain = (): boolean => {
        for (let p = this.reader.next(); p !== null; p = this.reader.next()) {
          raws.push(p.raw);
          result.packets.push(Buffer.from(p.payload));
          tracker.serverPacket(p.payload);
          if (tracker.done) return true;
        }
        return false;
      };
      const finish = (err?: unknown) => {
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.pause();
        if (err) reject(err);
        else {
          result.raw = Buffer.concat(raws);
          resolve(result);
        }
      };
      const onData = (chunk: Buffer) => {
        this.reader.push(chunk);
        try {
          if (drain()) finish();
        } catch (err) {
          finish(err);
        }
      };
      const onClose = () => finish(new Error('the server closed the connection'));
      try {
        if (drain()) return finish();
      } catch (err) {
        return finish(err);
      }
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.resume();
    });
  }

  close(): void {
    this.conn.socket.end(encodePacket(0, encodeCommand({ kind: 'quit' }, this.conn.capabilities)));
  }
}

export { COM };
