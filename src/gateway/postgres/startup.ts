import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { acceptTls } from '../tls-accept.js';
import { parseStartup, ProtocolError } from './codec/index.js';
import { StartupChannel } from './channel.js';
import { PgFatal } from './errors.js';

export interface StartupOptions {
  secureContext?: SecureContext;
  requireTls: boolean;
  timeoutMs: number;
  maxMessageBytes: number;
}

export type StartupResult =
  | {
      kind: 'session';
      channel: StartupChannel;
      params: Map<string, string>;
      tls: boolean;
      /** Minor version the client asked for, and _pq_ options it proposed (to decline). */
      minor: number;
      protocolOptions: string[];
    }
  | { kind: 'cancel'; pid: number; secret: Buffer };

/**
 * The start of a connection (PostgreSQL docs, "Message Flow" → "Start-up", "SSL Session
 * Encryption", "GSSAPI Session Encryption", "Canceling Requests in Progress"): answers
 * SSLRequest with TLS when a certificate is configured, declines GSSENCRequest (so the
 * client falls back), and returns either the StartupMessage or a CancelRequest.
 */
export async function negotiateStartup(socket: Socket, options: StartupOptions): Promise<StartupResult> {
  let channel = new StartupChannel(socket, options.timeoutMs, options.maxMessageBytes);
  let tls = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    const request = parseStartup(await channel.nextStartup());
    if (request.kind === 'cancel') {
      channel.detach();
      return request;
    }
    if (request.kind === 'startup') {
      if (options.requireTls && !tls) {
        throw new PgFatal('28000', 'this gateway accepts only TLS connections', undefined, 'connect with sslmode=require');
      }
      return { kind: 'session', channel, params: request.params, tls, minor: request.minor, protocolOptions: request.protocolOptions };
    }
    // Bytes sent after SSLRequest/GSSENCRequest and before the answer would be read as if
    // they came over the encrypted channel (CVE-2021-23214): refuse them.
    if (channel.buffered > 0) throw new ProtocolError('unexpected data after an encryption request');
    if (request.kind === 'ssl' && options.secureContext && !tls) {
      channel.send(Buffer.from('S'));
      channel.detach();
      const secure = await acceptTls(socket, options.secureContext, options.timeoutMs).catch((error: Error) => {
        throw new ProtocolError(error.message);
      });
      channel = new StartupChannel(secure, options.timeoutMs, options.maxMessageBytes);
      tls = true;
    } else {
      channel.send(Buffer.from('N'));
    }
  }
  throw new ProtocolError('too many encryption requests');
}
