import { randomBytes } from 'node:crypto';
import { checkScramProof, type ScramVerifier } from '../../identity/scram.js';

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 §5, RFC 7677), as PostgreSQL
 * runs it inside SASL (PostgreSQL docs, "SASL Authentication" → "SCRAM-SHA-256
 * Authentication"): the user name in the SCRAM messages is ignored (the startup packet's
 * `user` counts), and channel binding is not offered, so the gs2 header must be "n,," or
 * "y,,". Pure message logic: no I/O, no store.
 */
export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

export class ScramMessageError extends Error {}

export interface ClientFirst {
  gs2Header: string;
  bare: string;
  nonce: string;
}

/** client-first-message = gs2-header client-first-message-bare (RFC 5802 §7). */
export function parseClientFirst(message: string): ClientFirst {
  const m = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(message);
  if (!m) {
    if (message.startsWith('p=')) throw new ScramMessageError('channel binding is not supported; connect without it');
    throw new ScramMessageError('malformed SCRAM client-first-message');
  }
  if (m[2]) throw new ScramMessageError('an authorization identity (a=) is not supported');
  const bare = m[3]!;
  const attrs = bare.split(',');
  // "m=" would announce a mandatory extension we do not know: RFC 5802 §5.1 says fail.
  if (attrs[0]?.startsWith('m=')) throw new ScramMessageError('SCRAM extensions are not supported');
  if (!attrs[0]?.startsWith('n=') || !attrs[1]?.startsWith('r=')) {
    throw new ScramMessageError('malformed SCRAM client-first-message');
  }
  const nonce = attrs[1].slice(2);
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)) throw new ScramMessageError('malformed SCRAM client nonce');
  return { gs2Header: `${m[1]},${m[2] ?? ''},`, bare, nonce };
}

export interface ServerFirst {
  message: string;
  nonce: string;
}

export function serverFirst(client: ClientFirst, salt: Buffer, iterations: number): ServerFirst {
  const nonce = client.nonce + randomBytes(18).toString('base64');
  return { nonce, message: `r=${nonce},s=${salt.toString('base64')},i=${iterations}` };
}

export interface ClientFinal {
  withoutProof: string;
  proof: Buffer;
}

/** client-final-message = channel-binding "," nonce ["," extensions] "," proof (RFC 5802 §7). */
export function parseClientFinal(message: string, client: ClientFirst, server: ServerFirst): ClientFinal {
  const at = message.lastIndexOf(',p=');
  if (at < 0) throw new ScramMessageError('malformed SCRAM client-final-message');
  const withoutProof = message.slice(0, at);
  const attrs = withoutProof.split(',');
  const binding = attrs[0]?.startsWith('c=') ? Buffer.from(attrs[0].slice(2), 'base64').toString('latin1') : undefined;
  if (binding !== client.gs2Header) throw new ScramMessageError('SCRAM channel binding does not match');
  if (attrs[1] !== `r=${server.nonce}`) throw new ScramMessageError('SCRAM nonce does not match');
  const proof = Buffer.from(message.slice(at + 3), 'base64');
  return { withoutProof, proof };
}

export function authMessage(client: ClientFirst, server: ServerFirst, final: ClientFinal): string {
  return `${client.bare},${server.message},${final.withoutProof}`;
}

/**
 * Checks the proof against every candidate verifier (the password's, each live token's).
 * All are tried, so the time taken does not tell which one matched. Returns the index of
 * the match and the server-final-message, or null.
 */
export function verifyClientFinal(
  verifiers: ScramVerifier[],
  message: string,
  proof: Buffer,
): { index: number; serverFinal: string } | null {
  let found: { index: number; serverFinal: string } | null = null;
  verifiers.forEach((verifier, index) => {
    const signature = checkScramProof(verifier, message, proof);
    if (signature && !found) found = { index, serverFinal: `v=${signature.toString('base64')}` };
  });
  return found;
}
