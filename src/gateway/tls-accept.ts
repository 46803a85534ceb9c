import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** The handshake did not finish (a timeout, or the client's TLS failed). */
export class TlsHandshakeError extends Error {}

/**
 * Server-side TLS over a connection a client asked to encrypt (PostgreSQL's SSLRequest,
 * MySQL's CLIENT_SSL): resolves with the TLS socket once the handshake is done, or rejects
 * (and destroys it) when it fails or takes longer than `timeoutMs`.
 */
export function acceptTls(socket: Socket, secureContext: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  const secure = new TLSSocket(socket, { isServer: true, secureContext });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new TlsHandshakeError('the TLS handshake took too long')), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(error instanceof TlsHandshakeError ? error : new TlsHandshakeError(`the TLS handshake failed: ${error.message}`));
    };
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.off('error', fail);
      resolve(secure);
    });
    secure.once('error', fail);
  });
}
