import { randomBytes } from 'node:crypto';
import type { ControlPlane } from '../../control/plane.js';
import type { Principal } from '../../identity/model.js';
import { mysqlVerifiers } from '../../identity/mysql-verifiers.js';
import { verifyPassword } from '../../identity/password.js';
import { looksLikeToken, tokenHash } from '../../identity/tokens.js';
import { LoginFailure, touchLogin, type Authenticated } from '../login-failure.js';
import { checkNativeToken, checkSha2Token, parseCleartextResponse } from './auth-math.js';
import { CACHING_SHA2, encodeAuthMoreData, encodeAuthSwitchRequest, ProtocolError, type HandshakeResponse41 } from './codec/index.js';
import type { MysqlChannel } from './channel.js';

export const NATIVE_PASSWORD = 'mysql_native_password';
export const CACHING_SHA2_PASSWORD = 'caching_sha2_password';

/** A fresh 20-byte scramble: printable bytes without NUL, as servers send (clients print or NUL-terminate it). */
export function newScramble(): Buffer {
  const bytes = randomBytes(20);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 0x21 + (bytes[i]! % 94);
  return bytes;
}

interface Candidates {
  principal: Principal | undefined;
  /** SHA1(SHA1(secret)) of the password and of each live token. */
  native: { verifier: Buffer; tokenId?: string }[];
  /** SHA256(SHA256(password)): caching_sha2_password's fast path (tokens have none, see identity/mysql-verifiers.ts). */
  sha2: Buffer | null;
  passwordHash: string | null;
}

async function candidatesFor(cp: ControlPlane, user: string, now: Date): Promise<Candidates> {
  const principal = await cp.identity.principal(user, now);
  if (!principal) return { principal, native: [], sha2: null, passwordHash: null };
  const secrets = await cp.identity.secrets(principal.id);
  const native: Candidates['native'] = [];
  if (secrets?.mysql_native_hash) native.push({ verifier: secrets.mysql_native_hash });
  for (const t of await cp.identity.liveTokenVerifiers(principal.id, now)) {
    if (t.mysql_native_hash) native.push({ verifier: t.mysql_native_hash, tokenId: t.id });
  }
  return { principal, native, sha2: secrets?.mysql_sha2_hash ?? null, passwordHash: secrets?.password_hash ?? null };
}

/**
 * Authenticates the client as a Gatehouse user or service account (MySQL docs, "Connection
 * Phase" and "caching_sha2_password information"). The greeting announced
 * caching_sha2_password with `scramble`:
 * - its fast path matches the password's SHA256(SHA256()) verifier;
 * - otherwise, over TLS, full authentication: the client sends the secret itself, checked
 *   against the password's scrypt hash or the principal's live tokens;
 * - otherwise (no TLS, or a client that chose mysql_native_password), mysql_native_password
 *   with a fresh scramble, against the password's and every live token's verifier.
 * Every exchange runs to its end for unknown users too; every failure throws LoginFailure
 * with the true reason, and the caller answers them all alike.
 *
 * `switchOnMiss` (COM_CHANGE_USER): a mysql_native_password response that does not match is
 * answered with an AuthSwitchRequest and a fresh scramble instead of failing at once. Clients
 * compute a change-user response with the scramble they hold, and which one that is (the
 * greeting's, or the one of an AuthSwitchRequest during login) differs between client
 * libraries; MySQL's own server reuses one scramble for both, the gateway does not.
 */
export async function authenticate(
  channel: MysqlChannel,
  cp: ControlPlane,
  response: Pick<HandshakeResponse41, 'username' | 'authResponse' | 'authPluginName'>,
  scramble: Buffer,
  tls: boolean,
  options: { switchOnMiss?: boolean } = {},
): Promise<Authenticated> {
  const now = cp.now();
  const user = response.username;
  const c = await candidatesFor(cp, user, now);
  let matched: { tokenId?: string } | null = null;
  try {
    const plugin = response.authPluginName ?? NATIVE_PASSWORD;
    // undefined: no mysql_native_password response to check; null: one that matches nothing.
    const native = plugin === NATIVE_PASSWORD && response.authResponse.length > 0 ? checkNative(c, scramble, response.authResponse) : undefined;
    if (plugin === CACHING_SHA2_PASSWORD && c.sha2 && checkSha2Token(c.sha2, scramble, response.authResponse)) {
      matched = {};
      channel.send(encodeAuthMoreData(Buffer.from([CACHING_SHA2.FAST_AUTH_SUCCESS])));
    } else if (plugin === CACHING_SHA2_PASSWORD && tls) {
      channel.send(encodeAuthMoreData(Buffer.from([CACHING_SHA2.PERFORM_FULL_AUTHENTICATION])));
      const secret = parseCleartextResponse((await channel.next()).payload);
      matched = await checkCleartext(cp, c, secret, now);
    } else if (native !== undefined && (native !== null || !options.switchOnMiss)) {
      matched = native;
    } else {
      // A plugin we do not serve, caching_sha2_password without TLS and no fast-path match, or a change-user miss.
      const fresh = newScramble();
      channel.send(encodeAuthSwitchRequest({ pluginName: NATIVE_PASSWORD, data: Buffer.concat([fresh, Buffer.from([0])]) }));
      matched = checkNative(c, fresh, (await channel.next()).payload);
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw new LoginFailure('protocol', error.message, c.principal);
    throw error;
  }
  const { principal } = c;
  if (!principal) throw new LoginFailure('unknown_user', `there is no user "${user}"`);
  if (!matched) {
    const none = c.native.length === 0 && !c.sha2 && !c.passwordHash;
    throw new LoginFailure(none ? 'no_credentials' : 'wrong_password', none ? 'the user has no password and no live token' : 'the password or token is wrong', principal);
  }
  if (principal.status !== 'active') throw new LoginFailure(principal.status, `the account is ${principal.status}`, principal);
  const authenticated: Authenticated = { principal, via: matched.tokenId ? 'token' : 'password', ...(matched.tokenId ? { tokenId: matched.tokenId } : {}) };
  await touchLogin(cp, authenticated, now);
  return authenticated;
}

function checkNative(c: Candidates, scramble: Buffer, token: Buffer): { tokenId?: string } | null {
  // Never a null verifier: auth-math reads null as "empty password", which no account has here.
  if (token.length === 0) return null;
  const hit = c.native.find((n) => checkNativeToken(n.verifier, scramble, token));
  return hit ? (hit.tokenId ? { tokenId: hit.tokenId } : {}) : null;
}

/** Full authentication: the secret in clear (over TLS), as a token or as the password. */
async function checkCleartext(cp: ControlPlane, c: Candidates, secret: string, now: Date): Promise<{ tokenId?: string } | null> {
  if (!c.principal || secret === '') return null;
  if (looksLikeToken(secret)) {
    const row = await cp.identity.tokenByHash(tokenHash(secret));
    const live = row && row.principal_id === c.principal.id && (await cp.identity.liveTokenVerifiers(c.principal.id, now)).some((t) => t.id === row.id);
    return live ? { tokenId: row.id } : null;
  }
  if (!c.passwordHash || !(await verifyPassword(secret, c.passwordHash))) return null;
  if (!c.sha2) {
    // A password set before the MySQL verifiers existed: keep them now, as MySQL caches after a full authentication.
    const v = mysqlVerifiers(secret);
    await cp.identity.setMysqlPasswordVerifiers(c.principal.id, v.native, v.sha2, now.toISOString());
  }
  return {};
}
