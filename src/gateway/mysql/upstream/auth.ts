import { nativeClientToken, sha2CleartextResponse, sha2ClientToken, sha2RsaEncryptedPassword } from '../auth-math.js';
import { CACHING_SHA2 } from '../codec/index.js';
import { UpstreamError } from './errors.js';

/**
 * The client side of the authentication plugins the dialer speaks ("Authentication Methods"):
 * mysql_native_password, caching_sha2_password (fast path; full authentication in clear over
 * TLS, else RSA-OAEP with the server's public key), sha256_password (likewise), and
 * mysql_clear_password over TLS only. Anything else (MariaDB's client_ed25519, GSSAPI, PAM
 * dialogs) is refused with an error naming the plugin.
 */

export const NATIVE = 'mysql_native_password';
export const CACHING_SHA2_PASSWORD = 'caching_sha2_password';
export const SHA256_PASSWORD = 'sha256_password';
export const CLEAR_PASSWORD = 'mysql_clear_password';

export const SUPPORTED_PLUGINS = [NATIVE, CACHING_SHA2_PASSWORD, SHA256_PASSWORD, CLEAR_PASSWORD];

/** sha256_password's request for the public key (one byte 0x01), where caching_sha2_password uses 0x02. */
const SHA256_REQUEST_PUBLIC_KEY = 0x01;

/** One plugin's conversation: the first response, then an answer to each AuthMoreData (null: none, read on). */
export class PluginExchange {
  private awaitingKey = false;

  constructor(
    readonly plugin: string,
    private readonly scramble: Buffer,
    private readonly password: string,
    private readonly tls: boolean,
    /** Whether the server's RSA key may be fetched over a plain connection (Connector/J's allowPublicKeyRetrieval). */
    private readonly allowPublicKeyRetrieval = false,
  ) {
    if (!SUPPORTED_PLUGINS.includes(plugin)) {
      throw new UpstreamError(`the upstream asks for the authentication plugin ${plugin}, which is not supported (supported: ${SUPPORTED_PLUGINS.join(', ')})`);
    }
  }

  first(): Buffer {
    switch (this.plugin) {
      case NATIVE:
        return nativeClientToken(this.password, this.scramble);
      case CACHING_SHA2_PASSWORD:
        return sha2ClientToken(this.password, this.scramble);
      case SHA256_PASSWORD:
        if (this.password === '') return Buffer.from([0]);
        if (this.tls) return sha2CleartextResponse(this.password);
        return this.requestKey(SHA256_REQUEST_PUBLIC_KEY);
      default: // mysql_clear_password
        if (!this.tls) throw new UpstreamError('the upstream asks for mysql_clear_password, and a password is sent in clear only over TLS');
        return sha2CleartextResponse(this.password);
    }
  }

  /**
   * Without TLS the password goes out RSA-encrypted to a key the server sends unauthenticated:
   * whoever sits in the middle could send theirs and read the password, so this is opt-in.
   */
  private requestKey(request: number): Buffer {
    if (!this.allowPublicKeyRetrieval) {
      throw new UpstreamError(
        `the upstream wants full ${this.plugin} authentication, which sends the password: use TLS, or allow fetching the server's RSA public key (allowPublicKeyRetrieval)`,
      );
    }
    this.awaitingKey = true;
    return Buffer.from([request]);
  }

  /** The answer to AuthMoreData, or null when the server goes on without one. */
  moreData(data: Buffer): Buffer | null {
    if (this.awaitingKey) {
      this.awaitingKey = false;
      return sha2RsaEncryptedPassword(this.password, this.scramble, data);
    }
    if (this.plugin === CACHING_SHA2_PASSWORD && data.length === 1) {
      if (data[0] === CACHING_SHA2.FAST_AUTH_SUCCESS) return null; // the OK follows
      if (data[0] === CACHING_SHA2.PERFORM_FULL_AUTHENTICATION) {
        if (this.tls) return sha2CleartextResponse(this.password);
        return this.requestKey(CACHING_SHA2.REQUEST_PUBLIC_KEY);
      }
    }
    throw new UpstreamError(`the upstream sent unexpected authentication data for ${this.plugin}`);
  }
}
