import { createHash } from 'node:crypto';

/**
 * The PasswordMessage text for AuthenticationMD5Password ("Message Flow", "Start-up"):
 * "md5" + md5hex(md5hex(password ‖ user) ‖ salt).
 */
export function md5PasswordResponse(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5').update(password).update(user).digest('hex');
  return `md5${createHash('md5').update(inner).update(salt).digest('hex')}`;
}

/** Names of the authentication codes this client does not implement, for the error that says so. */
const METHOD_NAMES: Record<number, string> = {
  2: 'Kerberos V5',
  6: 'SCM credential',
  7: 'GSSAPI',
  8: 'GSSAPI',
  9: 'SSPI',
};

export function authMethodName(code: number): string {
  return METHOD_NAMES[code] ?? `an unknown method (code ${code})`;
}
