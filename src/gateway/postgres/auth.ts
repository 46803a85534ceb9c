import { createHmac, randomBytes } from 'node:crypto';
import type { ControlPlane } from '../../control/plane.js';
import { LoginFailure, touchLogin, type Authenticated } from '../login-failure.js';
import type { ScramVerifier } from '../../identity/scram.js';
import { DEFAULT_SCRAM_ITERATIONS, SCRAM_SALT_LENGTH } from '../../identity/scram.js';
import {
  authenticationSASL,
  authenticationSASLContinue,
  authenticationSASLFinal,
  FE,
  parseSASLInitialResponse,
  ProtocolError,
} from './codec/index.js';
import type { StartupChannel } from './channel.js';
import {
  authMessage,
  parseClientFinal,
  parseClientFirst,
  SCRAM_MECHANISM,
  ScramMessageError,
  serverFirst,
  verifyClientFinal,
} from './scram-exchange.js';

// Unknown users get a salt that is stable for the life of the process (as PostgreSQL's
// mock salt is), so asking twice does not reveal that the user does not exist.
const MOCK_SALT_KEY = randomBytes(32);
const mockSalt = (user: string) => createHmac('sha256', MOCK_SALT_KEY).update(user).digest().subarray(0, SCRAM_SALT_LENGTH);

/**
 * SCRAM-SHA-256 over SASL (PostgreSQL docs, "SASL Authentication"): the client proves it
 * knows the user's password or one of their live access tokens. Every exchange runs to the
 * end, for unknown users too, and every failure throws LoginFailure with the true reason.
 */
export async function authenticate(channel: StartupChannel, cp: ControlPlane, user: string): Promise<Authenticated> {
  const now = cp.now();
  const principal = await cp.identity.principal(user, now);
  const secrets = principal ? await cp.identity.secrets(principal.id) : undefined;
  const candidates: { verifier: ScramVerifier; tokenId?: string }[] = [];
  if (secrets?.scram_stored_key && secrets.scram_server_key) {
    candidates.push({ verifier: { storedKey: secrets.scram_stored_key, serverKey: secrets.scram_server_key } });
  }
  if (principal) {
    for (const t of await cp.identity.liveTokenVerifiers(principal.id, now)) {
      candidates.push({ verifier: { storedKey: t.scram_stored_key, serverKey: t.scram_server_key }, tokenId: t.id });
    }
  }
  const salt = secrets?.scram_salt ?? mockSalt(user);
  const iterations = secrets?.scram_iterations ?? DEFAULT_SCRAM_ITERATIONS;

  channel.send(authenticationSASL([SCRAM_MECHANISM]));
  try {
    const initial = parseSASLInitialResponse(await passwordMessage(channel));
    if (initial.mechanism !== SCRAM_MECHANISM) throw new ScramMessageError(`unsupported SASL mechanism "${initial.mechanism}"`);
    if (!initial.data) throw new ScramMessageError('the SCRAM client-first-message is missing');
    const first = parseClientFirst(initial.data.toString('utf8'));
    const server = serverFirst(first, salt, iterations);
    channel.send(authenticationSASLContinue(Buffer.from(server.message)));
    const final = parseClientFinal((await passwordMessage(channel)).toString('utf8'), first, server);
    const match = verifyClientFinal(
      candidates.map((c) => c.verifier),
      authMessage(first, server, final),
      final.proof,
    );
    if (!principal) throw new LoginFailure('unknown_user', `there is no user "${user}"`);
    if (!match) {
      const reason = candidates.length === 0 ? 'no_credentials' : 'wrong_password';
      throw new LoginFailure(reason, reason === 'no_credentials' ? 'the user has no password and no live token' : 'the password or token is wrong', principal);
    }
    if (principal.status !== 'active') throw new LoginFailure(principal.status, `the account is ${principal.status}`, principal);
    channel.send(authenticationSASLFinal(Buffer.from(match.serverFinal)));
    const tokenId = candidates[match.index]!.tokenId;
    const authenticated: Authenticated = { principal, via: tokenId ? 'token' : 'password', ...(tokenId ? { tokenId } : {}) };
    await touchLogin(cp, authenticated, now);
    return authenticated;
  } catch (error) {
    if (error instanceof ScramMessageError || error instanceof ProtocolError) {
      throw new LoginFailure('protocol', error.message, principal);
    }
    throw error;
  }
}

/** The body of the next PasswordMessage-typed message ('p': SASLInitialResponse, SASLResponse). */
async function passwordMessage(channel: StartupChannel): Promise<Buffer> {
  const frame = await channel.next();
  if (frame.type !== FE.Password) {
    throw new ProtocolError(`expected a SASL response, got message type "${String.fromCharCode(frame.type)}"`);
  }
  return frame.body;
}
