import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { normalizeSecret } from '../../../identity/scram.js';
import { UpstreamError } from './errors.js';

const pbkdf2Async = promisify(pbkdf2);

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

/**
 * The client side of SCRAM-SHA-256 (RFC 5802 §3 and §5, RFC 7677) as PostgreSQL's "SASL
 * Authentication" uses it: no channel binding (GS2 header "n,,"), and the user name left
 * empty because the server takes it from the StartupMessage (libpq does the same).
 *
 *   client-first  n,,n=<user>,r=<client nonce>
 *   server-first  r=<client nonce + server nonce>,s=<salt>,i=<iterations>
 *   client-final  c=biws,r=<nonce>,p=<ClientKey XOR HMAC(StoredKey, AuthMessage)>
 *   server-final  v=<HMAC(ServerKey, AuthMessage)>, checked here: a server that cannot
 *                 produce it does not hold the verifier, so the connection is refused.
 */
export class ScramClient {
  private readonly nonce: string;
  private readonly clientFirstBare: string;
  private expectedSignature: Buffer | null = null;
  private verified = false;

  /** `nonce` and `user` exist for the RFC 7677 test vector; connections use the defaults. */
  constructor(
    private readonly password: string,
    options: { nonce?: string; user?: string } = {},
  ) {
    // 18 random bytes, like libpq's SCRAM_RAW_NONCE_LEN; base64 stays within the printable set of §7.
    this.nonce = options.nonce ?? randomBytes(18).toString('base64');
    this.clientFirstBare = `n=${saslName(options.user ?? '')},r=${this.nonce}`;
  }

  /** The SASLInitialResponse data. */
  clientFirst(): Buffer {
    return Buffer.from(`n,,${this.clientFirstBare}`);
  }

  /** The SASLResponse data that answers AuthenticationSASLContinue. */
  async clientFinal(serverFirstData: Buffer): Promise<Buffer> {
    const serverFirst = serverFirstData.toString('utf8');
    if (serverFirst.startsWith('m=')) fail('the server requires a SCRAM extension this client does not know');
    const attrs = serverFirst.split(',');
    const nonce = attribute(attrs[0], 'r');
    const saltText = attribute(attrs[1], 's');
    const iterationsText = attribute(attrs[2], 'i');
    // RFC 5802 §5.1: the server's nonce starts with the client's and adds to it.
    if (!nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) fail('the server nonce does not extend the client nonce');
    const salt = base64(saltText, 'salt');
    if (salt.length === 0) fail('the salt is empty');
    if (!/^[1-9][0-9]{0,9}$/.test(iterationsText) || Number(iterationsText) > 0x7fffffff) fail(`bad iteration count ${iterationsText}`);
    const salted = await pbkdf2Async(normalizeSecret(this.password), salt, Number(iterationsText), 32, 'sha256');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const finalWithoutProof = `c=biws,r=${nonce}`; // biws = base64("n,,")
    const authMessage = `${this.clientFirstBare},${serverFirst},${finalWithoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.expectedSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`);
  }

  /** Checks AuthenticationSASLFinal; throws unless the server proved it holds the verifier. */
  verifyServerFinal(serverFinalData: Buffer): void {
    if (this.expectedSignature === null) fail('the server sent its final message before the client sent its proof');
    const serverFinal = serverFinalData.toString('utf8');
    if (serverFinal.startsWith('e=')) {
      throw new UpstreamError(`the upstream ended SCRAM authentication with the error "${serverFinal.slice(2).split(',')[0]}"`);
    }
    const signature = base64(attribute(serverFinal.split(',')[0], 'v'), 'server signature');
    if (signature.length !== this.expectedSignature.length || !timingSafeEqual(signature, this.expectedSignature)) {
      throw new UpstreamError('the upstream sent a wrong SCRAM server signature: it does not know this password (an impostor?)');
    }
    this.verified = true;
  }

  /** Whether verifyServerFinal() succeeded: AuthenticationOk before that must not be trusted. */
  get done(): boolean {
    return this.verified;
  }
}

/** RFC 5802 §5.1 saslname: "=" and "," are escaped as =3D and =2C. */
function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function attribute(part: string | undefined, name: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) fail(`attribute ${name} missing`);
  return part.slice(2);
}

/** Strict base64 (Buffer.from would skip junk silently). */
function base64(text: string, what: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) fail(`the ${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function fail(problem: string): never {
  throw new UpstreamError(`invalid SCRAM message from the upstream: ${problem}`);
}
